export { account } from './account.ts';
export { bankEvents, publishMovements } from './bankEvents.ts';
export { statements, withStatements } from './statements.ts';
export { runBankDemo, type BankDemoOptions, type BankDemoResult } from './runBankDemo.ts';
