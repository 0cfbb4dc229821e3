import { ParleyError } from '../errors/ParleyError.ts';
import type { Bus, TopicSpec } from '../ports/Bus.ts';

/**
 * The topics a service created or checked on its bus, each once per process, and the partition count it agreed
 * on. Every publish goes through {@link EnsuredTopics.ensure} before it commits, so a topic definition whose
 * partition count differs from the topic on the bus — a second definition of the same name, or an older one — is
 * refused instead of writing messages to partitions the topic does not have.
 */
export class EnsuredTopics {
  private readonly ensured = new Map<string, { partitions: number; done: Promise<void> }>();

  constructor(private readonly bus: Bus) {}

  /**
   * Creates the topic if it does not exist, or checks that it has `topic.partitions`.
   * @throws ParleyError `TOPIC_MISMATCH` naming both partition counts when the topic exists with another one
   */
  ensure(topic: TopicSpec): Promise<void> {
    const entry = this.ensured.get(topic.name);
    if (entry === undefined) {
      const done = this.create(topic);
      const created = { partitions: topic.partitions, done };
      done.catch(() => {
        if (this.ensured.get(topic.name) === created) this.ensured.delete(topic.name);
      });
      this.ensured.set(topic.name, created);
      return done;
    }
    if (entry.partitions === topic.partitions) return entry.done;
    return entry.done.then(
      () => {
        throw this.mismatch(topic, entry.partitions);
      },
      // The other definition was refused; this one gets its own answer from the bus.
      () => this.ensure(topic),
    );
  }

  private async create(topic: TopicSpec): Promise<void> {
    try {
      await this.bus.ensureTopic({ name: topic.name, partitions: topic.partitions });
    } catch (error) {
      const existing = await this.bus.listTopics().then(
        (all) => all.find((t) => t.name === topic.name),
        () => undefined,
      );
      if (existing !== undefined && existing.partitions !== topic.partitions)
        throw this.mismatch(topic, existing.partitions, error);
      throw error;
    }
  }

  private mismatch(topic: TopicSpec, existing: number, cause?: unknown): ParleyError {
    return new ParleyError(
      'TOPIC_MISMATCH',
      `topic ${topic.name} has ${existing} partitions on ${this.bus.description}, but the definition used here ` +
        `has ${topic.partitions}, so it is refused and nothing is written with it. Use one definition of the topic ` +
        'everywhere (its partition count cannot change once the topic exists: that would break per-key order)',
      { details: { topic: topic.name, partitions: existing, defined: topic.partitions }, cause },
    );
  }
}
