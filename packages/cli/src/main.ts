import { CommanderError } from 'commander';
import { createProgram } from './createProgram.ts';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) {
    console.error(`parley: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
}
