-- Part 5: publishing writes no foreign-key check per message.

-- The key checked every appended row against `topics` in a trigger, a third of the cost of an insert. Every
-- writer checks the topic and its partition against `topics` before it appends (TopicCatalog), and topics are
-- never removed, so the check is redundant.
ALTER TABLE messages DROP CONSTRAINT messages_topic_fkey;
