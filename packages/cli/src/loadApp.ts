import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  schemaRegistry,
  type AnyEntity,
  type AnyWorkflow,
  type SchemaRegistry,
  type TopicDefinition,
} from '@parley/core';

const TYPESCRIPT = /\.[cm]?tsx?$/i;

/** Run from its TypeScript source (through tsx or vitest), the CLI already loads TypeScript as any module. */
const RUNS_FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The topics and entities a module declares, and a schema registry over them. */
export interface AppSchemas {
  readonly topics: ReadonlyArray<TopicDefinition>;
  readonly entities: ReadonlyArray<AnyEntity>;
  readonly registry: SchemaRegistry;
}

/**
 * Imports an application module (a path resolved from the working directory) and collects the Parley topics and
 * entities among its exports, also inside exported arrays and objects one level deep, so that an edited payload
 * can be checked against its schema. A TypeScript module (`.ts`, `.mts`, `.cts`, `.tsx`) is loaded through tsx.
 *
 * @throws Error when the module cannot be loaded or declares no topic or entity.
 * @example
 * const { registry } = await loadAppSchemas('./src/app.ts');
 */
export async function loadAppSchemas(modulePath: string): Promise<AppSchemas> {
  const exports = await importApp(modulePath);
  const topics = new Map<string, TopicDefinition>();
  const entities = new Map<string, AnyEntity>();
  for (const value of exportedValues(exports)) {
    if (isKind<TopicDefinition>(value, 'topic')) topics.set(value.name, value);
    else if (isKind<AnyEntity>(value, 'entity')) entities.set(value.name, value);
  }
  if (topics.size === 0 && entities.size === 0) {
    throw new Error(
      `--app ${modulePath} exports no Parley topic or entity (looked one level into arrays and objects)`,
    );
  }
  const found = { topics: [...topics.values()], entities: [...entities.values()] };
  return { ...found, registry: schemaRegistry(found) };
}

/**
 * The workflow definitions an application module exports (one level into arrays and objects too), for
 * `parley workflows check`.
 * @throws Error when the module cannot be loaded or declares no workflow.
 */
export async function loadAppWorkflows(modulePath: string): Promise<AnyWorkflow[]> {
  const workflows = new Map<string, AnyWorkflow>();
  for (const value of exportedValues(await importApp(modulePath)))
    if (isKind<AnyWorkflow>(value, 'workflow')) workflows.set(value.name, value);
  if (workflows.size === 0) {
    throw new Error(
      `--app ${modulePath} exports no Parley workflow (looked one level into arrays and objects)`,
    );
  }
  return [...workflows.values()];
}

/** Imports an application module, resolved from the working directory; TypeScript through tsx. */
async function importApp(modulePath: string): Promise<Record<string, unknown>> {
  const file = path.resolve(modulePath);
  try {
    const url = pathToFileURL(file).href;
    return TYPESCRIPT.test(file) && !RUNS_FROM_SOURCE ? await importTypeScript(url) : await importModule(url);
  } catch (error) {
    throw new Error(
      `cannot load --app ${modulePath}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** A module's exports, and the values inside exported arrays and objects. */
function exportedValues(exports: Record<string, unknown>): unknown[] {
  return Object.values(exports).flatMap((value): unknown[] => {
    if (isKind(value, 'topic') || isKind(value, 'entity') || isKind(value, 'workflow')) return [value];
    if (Array.isArray(value)) return value as unknown[];
    return typeof value === 'object' && value !== null ? Object.values(value) : [];
  });
}

/**
 * Imports a TypeScript module through tsx's loader, registered for this import and what it imports only: Node 20
 * cannot strip types, and newer versions strip them without resolving the `.js` specifiers TypeScript code uses.
 */
export async function importTypeScript(url: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}

async function importModule(url: string): Promise<Record<string, unknown>> {
  return (await import(url)) as Record<string, unknown>;
}

function isKind<T extends { name: string }>(
  value: unknown,
  kind: 'topic' | 'entity' | 'workflow',
): value is T {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === kind &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}
