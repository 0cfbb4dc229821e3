import fs from 'node:fs';
import { isValidationError } from '@parley/core';
import type { Command } from 'commander';
import { formatJsonDiff } from '@parley/console';
import { loadAppSchemas } from '../loadApp.ts';
import {
  actorOption,
  backendOptions,
  printJson,
  withAdmin,
  type ActorFlags,
  type BackendFlags,
} from './adminOptions.ts';

type EditFlags = BackendFlags &
  ActorFlags & {
    payload?: string;
    payloadFile?: string;
    reason?: string;
    dryRun?: boolean;
    app?: string;
  };

/** `parley dlq edit <id>`: replace a parked message's payload (checked against its schema) and redrive it. */
export function registerDlqEdit(dlq: Command): void {
  actorOption(backendOptions(dlq.command('edit')))
    .description(
      'replace the payload of a parked or retrying message, check it against its schema, redrive it',
    )
    .argument('<id>', 'dead letter id')
    .option('--payload <json>', 'the new payload, as JSON')
    .option('--payload-file <path>', 'read the new payload from a JSON file (- for stdin)')
    .option('--app <module>', 'module exporting the topics/entities whose schemas check the payload')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--dry-run', 'check the payload and print the diff; change nothing')
    .action(async (id: string, flags: EditFlags, command: Command) => {
      if ((flags.payload === undefined) === (flags.payloadFile === undefined)) {
        command.error('error: give the new payload with exactly one of --payload or --payload-file');
      }
      const payload = parseJson(
        flags.payload ?? readPayloadFile(flags.payloadFile ?? '-'),
        flags.payload === undefined ? `--payload-file ${flags.payloadFile}` : '--payload',
      );
      const schemas = flags.app === undefined ? undefined : (await loadAppSchemas(flags.app)).registry;
      const actor = {
        by: flags.by,
        dryRun: flags.dryRun === true,
        ...(flags.reason === undefined ? {} : { reason: flags.reason }),
      };
      const result = await withAdmin(
        flags,
        async (admin) => {
          try {
            return await admin.deadLetters.edit(id, payload, actor);
          } catch (error) {
            // Without schemas every edit is refused; say how to give them.
            if (flags.app === undefined && isValidationError(error)) {
              throw new Error(`${error.message}. Pass --app <module> to give the definitions`, {
                cause: error,
              });
            }
            throw error;
          }
        },
        schemas,
      );
      if (flags.json) {
        printJson({
          dryRun: actor.dryRun,
          before: result.before,
          after: result.after,
          deadLetter: result.deadLetter,
        });
        return;
      }
      const diff = formatJsonDiff(result.before, result.after);
      console.log(diff.length === 0 ? '(payload unchanged)' : diff.join('\n'));
      console.log(
        actor.dryRun
          ? `dry run: dead letter ${id} not changed`
          : `dead letter ${id} edited and ${result.deadLetter.status}`,
      );
    });
}

function readPayloadFile(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read --payload-file ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function parseJson(text: string, from: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${from} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
