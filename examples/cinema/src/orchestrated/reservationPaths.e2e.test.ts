import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createService,
  isParleyError,
  silentLogger,
  whenAllIdle,
  type JournalEntry,
  type MessageId,
  type Service,
  type Store,
} from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { CinemaConfig } from '../CinemaConfig.ts';
import { paymentGateway, type PaymentGateway } from '../paymentGateway.ts';
import { reservations } from '../reservations.ts';
import { show } from '../show.ts';
import { showCommands } from '../showCommands.ts';
import { wallet } from '../wallet.ts';
import { openWallets } from '../walletService.ts';
import { createOrchestratedShowService } from './orchestratedShowService.ts';
import { createOrchestratedWalletService } from './orchestratedWalletService.ts';
import { RESERVATION_WORKFLOW } from './reservationWorkflow.ts';
import { walletCommands } from './walletCommands.ts';
import { walletReplies } from './walletReplies.ts';

const config: CinemaConfig = {
  wallets: [
    { id: 'rich', initial: 100 },
    { id: 'poor', initial: 5 },
    { id: 'poison', initial: 100 },
    { id: 'slow', initial: 100 },
  ],
  poisonWallets: ['poison'],
  slowReservations: ['r-slow', 'r-stopped'],
  paymentTimeoutMs: 300,
  slowChargeMs: 1500,
  retry: { immediateRetries: 1, immediateDelay: 5, initialInterval: 20, maxInterval: 40, delayedRetries: 1 },
};

async function until<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('the run was expected to end without a ticket');
    },
    (error: unknown) => error,
  );

describe('orchestrated cinema story, path by path', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(
    options: {
      gatewayFor?: (gateway: PaymentGateway) => PaymentGateway;
      paymentTimeoutMs?: number;
    } = {},
  ) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cinema-orchestrated-'));
    const bus = createSqliteBus(`sqlite:${path.join(dir, 'bus.db')}`);
    const showStore = createSqliteStore(`sqlite:${path.join(dir, 'show.db')}`, { bus });
    const walletStore = createSqliteStore(`sqlite:${path.join(dir, 'wallet.db')}`, { bus });
    const driverStore = createSqliteStore(`sqlite:${path.join(dir, 'bus.db')}`, { bus });
    const { service: shows, workflow } = createOrchestratedShowService({
      store: showStore,
      bus,
      config: { paymentTimeoutMs: options.paymentTimeoutMs ?? config.paymentTimeoutMs },
      logger: silentLogger,
    });
    const gateway = paymentGateway(config);
    const wallets = createOrchestratedWalletService({
      store: walletStore,
      bus,
      config,
      gateway: options.gatewayFor?.(gateway) ?? gateway,
      logger: silentLogger,
    });
    await openWallets(wallets, config);
    await wallets.start();
    await shows.start();
    const driver = createService({ name: 'driver', store: driverStore, bus, logger: silentLogger });
    await driver.start();
    cleanups.push(async () => {
      await driver.stop();
      await shows.stop();
      await wallets.stop();
      await Promise.all([showStore.close(), walletStore.close(), driverStore.close()]);
      await bus.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const request = (reservationId: string, walletId: string, seat: string, amount = 10) => ({
      type: 'ReserveSeat' as const,
      key: reservationId,
      payload: { showId: 'show-1', reservationId, seat, walletId, amount },
    });
    const reserve = async (reservationId: string, walletId: string, seat: string, amount = 10) => {
      await driver.publish(showCommands, request(reservationId, walletId, seat, amount));
      return shows.workflows.get(workflow, reservationId);
    };
    const cancel = (reservationId: string) => ({
      type: 'CancelReservation' as const,
      key: reservationId,
      payload: { showId: 'show-1', reservationId, reason: 'customer' },
    });
    const reservation = async (id: string) => (await shows.load(show, 'show-1')).state.reservations[id];
    const idle = () => whenAllIdle([driver, wallets, shows]);
    return {
      shows,
      wallets,
      driver,
      workflow,
      walletStore,
      showStore,
      request,
      reserve,
      cancel,
      reservation,
      idle,
    };
  }

  const balance = async (wallets: Service, id: string) => (await wallets.load(wallet, id)).state.balance;
  const walletEventsOf = async (store: Store, id: string) =>
    (await store.readStream(wallet.name, id, 0)).map((e) => e.type);
  const about = (id: string, type: string, events: Array<{ type: string; data: unknown }>) =>
    events.filter((e) => e.type === type && (e.data as { reservationId: string }).reservationId === id);
  const stepsOf = (entries: ReadonlyArray<{ entry: JournalEntry }>) =>
    entries.flatMap(({ entry }) => (entry.type === 'StepCompleted' ? [entry.name] : []));

  it('green path: the run holds the seat, is charged, confirms, and completes', async () => {
    const story = await start();
    const run = await story.reserve('r-1', 'rich', 'A1', 12);
    expect(await run.result()).toEqual({ status: 'confirmed' });
    expect(await story.reservation('r-1')).toMatchObject({ status: 'confirmed', seat: 'A1' });
    expect(await balance(story.wallets, 'rich')).toBe(88);
    const journal = await run.journal();
    expect(stepsOf(journal.entries)).toEqual(['hold-seat', 'confirm']);
    await story.idle();
    expect(await story.shows.query(reservations).get('r-1')).toMatchObject({
      showId: 'show-1',
      status: 'confirmed',
    });
  });

  it('insufficient funds: the wallet refuses, the run fails and its compensation releases the seat', async () => {
    const story = await start();
    const run = await story.reserve('r-2', 'poor', 'A2', 10);
    const failure = await failureOf(run.result());
    expect(isParleyError(failure) && failure.code).toBe('WORKFLOW_FAILED');
    expect((failure as Error).message).toMatch(/InsufficientFunds|balance/);
    expect(await story.reservation('r-2')).toMatchObject({
      status: 'cancelled',
      cancelReason: 'insufficient-funds',
    });
    expect(stepsOf((await run.journal()).entries)).toEqual(['hold-seat', 'compensate:hold-seat']);
    expect(await walletEventsOf(story.walletStore, 'poor')).toEqual(['WalletCredited']);
    // The seat is free again.
    expect(await (await story.reserve('r-2b', 'rich', 'A2')).result()).toEqual({ status: 'confirmed' });
  });

  it('poison wallet: retries, an escalated dead letter, a PaymentFailed answer and compensation — while other wallets are charged', async () => {
    const story = await start();
    const poisoned = await story.reserve('r-3', 'poison', 'A3');
    const healthy = await story.reserve('r-4', 'rich', 'A4');
    const failure = await failureOf(poisoned.result());
    expect((failure as Error).message).toMatch(/gateway error 502/);
    expect(await healthy.result()).toEqual({ status: 'confirmed' });
    expect(await story.reservation('r-3')).toMatchObject({
      status: 'cancelled',
      cancelReason: 'payment-failed',
    });
    const letters = await story.walletStore.listDeadLetters({ consumer: 'wallet-charger' });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      status: 'escalated',
      attempts: 4,
      message: { key: 'r-3', type: 'ChargeWallet' },
      error: { name: 'GatewayError' },
    });
    // The answer the run got is the escalation's, on the reply topic.
    const received = (await poisoned.journal()).entries.flatMap(({ entry }) =>
      entry.type === 'MessageReceived' ? [entry.message] : [],
    );
    expect(received).toMatchObject([
      {
        source: walletReplies.name,
        type: 'CommandRejected',
        payload: { rejection: { code: 'PaymentFailed' } },
      },
    ]);
    expect(await balance(story.wallets, 'poison')).toBe(100);
    expect(await balance(story.wallets, 'rich')).toBe(90);
  });

  it('timeout then late success: the run gives up and releases the seat; the late charge is refunded exactly once', async () => {
    const story = await start();
    const run = await story.reserve('r-slow', 'slow', 'A5', 20);
    const failure = await failureOf(run.result());
    expect((failure as Error).message).toMatch(/no payment for r-slow in time/);
    expect(await story.reservation('r-slow')).toMatchObject({
      status: 'cancelled',
      cancelReason: 'payment-timeout',
    });
    // The wallet is still at the slow charge; once it answers, onLateReply asks for the money back.
    await until(
      async () => (await walletEventsOf(story.walletStore, 'slow')).includes('WalletRefunded'),
      'the refund',
    );
    await story.idle();
    const journal = await run.journal();
    const late = journal.entries.flatMap(({ entry }) =>
      entry.type === 'MessageReceived' && entry.message.source === walletReplies.name ? [entry.message] : [],
    );
    expect(late.map((m) => m.type)).toEqual(['CommandAccepted']);
    const handled = journal.entries.filter(({ entry }) => entry.type === 'LateReplyHandled');
    expect(handled).toHaveLength(1);

    const count = async (type: JournalEntry['type']) =>
      (await run.journal()).entries.filter(({ entry }) => entry.type === type).length;
    const refundsAsked = async () =>
      (await run.journal()).entries.filter(
        ({ entry }) => entry.type === 'MessagePublished' && entry.topic === walletCommands.name,
      ).length;
    expect(await refundsAsked()).toBe(2); // the charge, and the refund

    // The same answer delivered again (same message id): the run's inbox takes it once, nothing more happens.
    const answer = late[0]!;
    const again = (id?: MessageId) =>
      story.driver.publish(walletReplies, {
        ...(id === undefined ? {} : { id }),
        type: 'CommandAccepted',
        key: answer.key,
        payload: answer.payload as never,
        headers: answer.headers,
      });
    await again(answer.id as MessageId);
    await story.idle();
    expect(await count('MessageReceived')).toBe(1);
    expect(await count('LateReplyHandled')).toBe(1);
    expect(await refundsAsked()).toBe(2);
    // A copy under a new message id answers the same request: it is recorded, and onLateReply is not called again.
    await again();
    await story.idle();
    expect(await count('MessageReceived')).toBe(2);
    expect(await count('LateReplyHandled')).toBe(2);
    expect(await refundsAsked()).toBe(2);
    const after = await run.journal();
    expect(await walletEventsOf(story.walletStore, 'slow')).toEqual([
      'WalletCredited',
      'WalletCharged',
      'WalletRefunded',
    ]);
    expect(await balance(story.wallets, 'slow')).toBe(100);
    expect(after.status).toBe('failed');
  });

  it('a request delivered twice starts one run, and a charge delivered twice charges once', async () => {
    const story = await start();
    const request = story.request('r-6', 'rich', 'A6');
    await story.driver.publish(showCommands, [request, request]);
    await story.driver.publish(walletCommands, {
      type: 'ChargeWallet',
      key: 'r-6',
      payload: { reservationId: 'r-6', walletId: 'rich', amount: 10 },
      headers: { replyTo: walletReplies.name, correlationId: `${RESERVATION_WORKFLOW}/r-6` },
    });
    const run = story.shows.workflows.get(story.workflow, 'r-6');
    expect(await run.result()).toEqual({ status: 'confirmed' });
    await story.idle();
    const walletStream = await story.walletStore.readStream(wallet.name, 'rich', 0);
    expect(about('r-6', 'WalletCharged', walletStream)).toHaveLength(1);
    expect(await balance(story.wallets, 'rich')).toBe(90);
    expect(await story.shows.workflows.list({ workflow: RESERVATION_WORKFLOW })).toMatchObject([
      { runId: 'r-6', status: 'completed' },
    ]);
    const journal = await run.journal();
    expect(journal.entries.filter(({ entry }) => entry.type === 'WorkflowStarted')).toHaveLength(1);
    // The answer to the second charge reached the run too, and changed nothing.
    expect(
      journal.entries.filter(
        ({ entry }) => entry.type === 'MessageReceived' && entry.message.source === walletReplies.name,
      ),
    ).toHaveLength(2);
  });

  it('a customer who cancels twice: the run cancels once, and the charge it got is refunded once', async () => {
    // The wallet answers r-7 only once both cancellations are in the run's inbox, and the run waits for it.
    let cancelled: () => Promise<boolean> = () => Promise.resolve(false);
    const story = await start({
      paymentTimeoutMs: 8000,
      gatewayFor: (gateway) => ({
        ...gateway,
        authorize: async (request) => {
          if (request.reservationId === 'r-7') await until(cancelled, 'the cancellations to reach the run');
          return gateway.authorize(request);
        },
      }),
    });
    cancelled = async () =>
      (await story.shows.workflows.get(story.workflow, 'r-7').journal()).entries.filter(
        ({ entry }) => entry.type === 'MessageReceived' && entry.message.source === showCommands.name,
      ).length === 2;
    await story.driver.publish(showCommands, [
      story.request('r-7', 'rich', 'A7'),
      story.cancel('r-7'),
      story.cancel('r-7'),
    ]);
    const run = story.shows.workflows.get(story.workflow, 'r-7');
    const failure = await failureOf(run.result());
    expect((failure as Error).message).toMatch(/the customer cancelled r-7/);
    expect(await story.reservation('r-7')).toMatchObject({ status: 'cancelled', cancelReason: 'customer' });
    await until(
      async () => (await walletEventsOf(story.walletStore, 'rich')).includes('WalletRefunded'),
      'the refund of r-7',
    );
    await story.idle();
    const showStream = await story.showStore.readStream(show.name, 'show-1', 0);
    expect(about('r-7', 'ReservationCancelled', showStream)).toHaveLength(1);
    const walletStream = await story.walletStore.readStream(wallet.name, 'rich', 0);
    expect(about('r-7', 'WalletCharged', walletStream)).toHaveLength(1);
    expect(about('r-7', 'WalletRefunded', walletStream)).toHaveLength(1);
    expect(await balance(story.wallets, 'rich')).toBe(100);
    // A cancellation of a reservation whose run has completed changes nothing.
    const sold = await story.reserve('r-8', 'rich', 'A8');
    expect(await sold.result()).toEqual({ status: 'confirmed' });
    await story.driver.publish(showCommands, story.cancel('r-8'));
    await story.idle();
    expect(await story.reservation('r-8')).toMatchObject({ status: 'confirmed' });
    expect(await balance(story.wallets, 'rich')).toBe(90);
  });

  it('an operator who cancels a run waiting for its charge: the seat is released and the charge refunded', async () => {
    const story = await start();
    const run = await story.reserve('r-stopped', 'slow', 'A9', 20);
    await until(
      async () =>
        (await run.journal()).entries.some(
          ({ entry }) => entry.type === 'WaitStarted' && entry.name === 'reply:charge',
        ),
      'the run to wait for its charge',
    );
    await run.cancel('the show was called off', { by: 'operator' });
    const failure = await failureOf(run.result());
    expect(isParleyError(failure) && failure.code).toBe('WORKFLOW_CANCELLED');
    expect(await story.reservation('r-stopped')).toMatchObject({
      status: 'cancelled',
      cancelReason: 'operator',
    });
    await until(
      async () => (await walletEventsOf(story.walletStore, 'slow')).includes('WalletRefunded'),
      'the refund',
    );
    await story.idle();
    expect(await walletEventsOf(story.walletStore, 'slow')).toEqual([
      'WalletCredited',
      'WalletCharged',
      'WalletRefunded',
    ]);
    expect(await balance(story.wallets, 'slow')).toBe(100);
  });
});
