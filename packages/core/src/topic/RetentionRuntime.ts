import type { Clock } from '../clock/Clock.ts';
import { Signal } from '../concurrency/Signal.ts';
import { ensureError } from '../errors/ensureError.ts';
import type { TypedEmitter } from '../events/TypedEmitter.ts';
import type { ServiceEvents } from '../events/ServiceEvents.ts';
import type { Logger } from '../logging/Logger.ts';
import type { Bus } from '../ports/Bus.ts';
import type { RetentionOutcome } from '../ports/Retention.ts';
import type { TopicDefinition } from './defineTopic.ts';

/**
 * Applies the retention policies of the topics a service declares, periodically. The bus never removes a message
 * that a registered consumer group has not processed: such messages are held, and every run that holds some
 * raises a `topic:retention-held` alert naming the lagging group.
 */
export class RetentionRuntime {
  private readonly wake: Signal;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly topics: () => ReadonlyArray<TopicDefinition>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: TypedEmitter<ServiceEvents>,
    private readonly intervalMs: number,
  ) {
    this.wake = new Signal(clock);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake.notify();
    await this.loop;
  }

  /** One pass over every topic with a policy; returns the outcomes. */
  async applyOnce(): Promise<RetentionOutcome[]> {
    const outcomes: RetentionOutcome[] = [];
    for (const topic of this.topics()) {
      if (topic.retention === undefined) continue;
      for (const outcome of await this.bus.applyRetention(topic.name, topic.retention, this.clock.now())) {
        outcomes.push(outcome);
        if (outcome.held > 0) {
          this.logger.warn(
            {
              topic: outcome.topic,
              partition: outcome.partition,
              held: outcome.held,
              laggingGroup: outcome.laggingGroup,
            },
            'retention held messages a consumer group has not processed',
          );
          this.events.emit('topic:retention-held', {
            topic: outcome.topic,
            partition: outcome.partition,
            held: outcome.held,
            laggingGroup: outcome.laggingGroup,
          });
        }
      }
    }
    return outcomes;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.applyOnce();
      } catch (error) {
        this.logger.error({ err: ensureError(error) }, 'applying retention failed; trying again later');
      }
      await this.wake.wait(this.intervalMs, this.abort.signal);
    }
  }
}
