import { createAdmin, type TopicInfo } from '@parley/core';
import type { Command } from 'commander';
import { formatTable } from '../formatTable.ts';
import { openBackend } from '../openBackend.ts';
import { backendOptions, printJson, type BackendFlags } from './adminOptions.ts';

/** `parley topics`: topics with their size, consumer groups and the retention guard's warnings. */
export function registerTopics(program: Command): void {
  backendOptions(program.command('topics'))
    .description('topics on the bus: messages kept, consumer groups and their lag, what retention holds back')
    .action(async (flags: BackendFlags) => {
      // Only the bus is read, so a bus file is a fine --store here.
      const backend = await openBackend({ store: flags.store, bus: flags.bus, uses: 'bus' });
      let topics: TopicInfo[];
      try {
        topics = await createAdmin({ store: backend.store, bus: backend.bus }).topics.list();
      } finally {
        await backend.close();
      }
      if (flags.json) return printJson(topics);
      if (topics.length === 0) {
        console.log('no topics');
        return;
      }
      console.log(topicTable(topics));
      for (const topic of topics) {
        if (topic.held === 0) continue;
        console.log(
          `warning: retention holds ${topic.held} message(s) of ${topic.name} that ${topic.laggingGroups.join(', ')} ` +
            'has not processed yet',
        );
      }
    });
}

function topicTable(topics: ReadonlyArray<TopicInfo>): string {
  return formatTable(
    [
      { header: 'TOPIC', value: (t: TopicInfo) => t.name },
      { header: 'PARTITIONS', value: (t) => String(t.partitions), align: 'right' },
      { header: 'MESSAGES', value: (t) => String(t.messages), align: 'right' },
      {
        header: 'GROUPS (LAG)',
        value: (t) => t.groups.map((g) => `${g.group} (${g.lag})`).join(', ') || '-',
      },
      { header: 'HELD', value: (t) => String(t.held), align: 'right' },
      { header: 'REMOVED', value: (t) => String(t.removed), align: 'right' },
    ],
    topics,
  );
}
