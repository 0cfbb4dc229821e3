import type { Admin, ConsumerInfo } from '@parley/core';
import type { Command } from 'commander';
import { formatTable } from '../formatTable.ts';
import {
  actorOption,
  backendOptions,
  printJson,
  withAdmin,
  type ActorFlags,
  type BackendFlags,
} from './adminOptions.ts';

/** `parley consumers …`: see consumers' state and lag, pause and resume them. */
export function registerConsumers(program: Command): void {
  const consumers = program.command('consumers').description('list, pause and resume consumers');

  backendOptions(consumers.command('list', { isDefault: true }))
    .description('consumers with their status, lag, parked keys and dead letters (the default)')
    .action(async (flags: BackendFlags) => {
      const list = await withAdmin(flags, (admin) => admin.consumers.list());
      if (flags.json) return printJson(list);
      console.log(list.length === 0 ? 'no consumers' : consumerTable(list));
    });

  actorOption(backendOptions(consumers.command('pause')))
    .description('stop a consumer from taking new messages, in every process that runs it')
    .argument('<name>', 'consumer name')
    .option('--reason <text>', 'why, shown in the status')
    .action(async (name: string, flags: BackendFlags & ActorFlags & { reason?: string }) => {
      const info = await withAdmin(flags, async (admin) => {
        await known(admin, name);
        await admin.consumers.pause(name, {
          by: flags.by,
          ...(flags.reason === undefined ? {} : { reason: flags.reason }),
        });
        return known(admin, name);
      });
      if (flags.json) printJson(info);
      else console.log(`paused ${name}: ${info.reason ?? ''}`);
    });

  actorOption(backendOptions(consumers.command('resume')))
    .description('let a paused consumer take messages again')
    .argument('<name>', 'consumer name')
    .action(async (name: string, flags: BackendFlags & ActorFlags) => {
      const info = await withAdmin(flags, async (admin) => {
        await known(admin, name);
        await admin.consumers.resume(name, { by: flags.by });
        return known(admin, name);
      });
      if (flags.json) printJson(info);
      else console.log(`resumed ${name}`);
    });
}

/** The consumer named `name`; the admin API would accept any name, so a typo must fail here. */
async function known(admin: Admin, name: string): Promise<ConsumerInfo> {
  const all = await admin.consumers.list();
  const found = all.find((c) => c.name === name);
  if (found === undefined) {
    const names = all.map((c) => c.name).join(', ');
    throw new Error(`no consumer ${name} in this store${names === '' ? '' : ` (known: ${names})`}`);
  }
  return found;
}

function consumerTable(list: ReadonlyArray<ConsumerInfo>): string {
  return formatTable<ConsumerInfo>(
    [
      { header: 'NAME', value: (c) => c.name },
      { header: 'SOURCE', value: (c) => c.source || '-' },
      {
        header: 'STATUS',
        value: (c) => (c.status === 'paused' ? `paused: ${c.reason ?? 'no reason given'}` : 'running'),
        maxWidth: 50,
      },
      { header: 'LAG', value: (c) => (c.lag === null ? '?' : String(c.lag)), align: 'right' },
      { header: 'PARKED KEYS', value: (c) => String(c.parkedKeys.length), align: 'right' },
      {
        header: 'DEAD LETTERS',
        value: (c) =>
          Object.entries(c.deadLetters)
            .map(([status, count]) => `${status} ${count}`)
            .join(', ') || '-',
      },
    ],
    list,
  );
}
