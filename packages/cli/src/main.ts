import { Command, CommanderError } from 'commander';
import { registerDemoBank } from './commands/demoBank.ts';

const program = new Command()
  .name('parley')
  .description('Parley: reliable asynchronous communication between services')
  .showHelpAfterError();

const demo = program.command('demo').description('run an example end to end on embedded SQLite');
registerDemoBank(demo);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) {
    console.error(`parley: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
}
