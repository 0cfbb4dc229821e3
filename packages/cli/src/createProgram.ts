import { Command } from 'commander';
import { registerConsole } from './commands/console.ts';
import { registerConsumers } from './commands/consumers.ts';
import { registerDemoBank } from './commands/demoBank.ts';
import { registerDemoCinema } from './commands/demoCinema.ts';
import { registerDemoTasks } from './commands/demoTasks.ts';
import { registerDlq } from './commands/dlq.ts';
import { registerOutbox } from './commands/outbox.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerTopics } from './commands/topics.ts';
import { registerWorkflows } from './commands/workflows.ts';

/** The `parley` command with every subcommand, ready to parse an argument list. */
export function createProgram(): Command {
  const program = new Command()
    .name('parley')
    .description('Parley: reliable asynchronous communication between services')
    .showHelpAfterError();
  const demo = program.command('demo').description('run an example end to end on embedded SQLite');
  registerDemoCinema(demo);
  registerDemoTasks(demo);
  registerDemoBank(demo);
  registerDlq(program);
  registerConsumers(program);
  registerTopics(program);
  registerOutbox(program);
  registerWorkflows(program);
  registerConsole(program);
  registerSimulate(program);
  return program;
}
