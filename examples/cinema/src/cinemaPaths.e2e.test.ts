import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createAdmin,
  createService,
  silentLogger,
  whenAllIdle,
  type Service,
  type Store,
} from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { CinemaConfig } from './CinemaConfig.ts';
import { paymentGateway } from './paymentGateway.ts';
import { reservations } from './reservations.ts';
import { show } from './show.ts';
import { showCommands } from './showCommands.ts';
import { showEvents } from './showEvents.ts';
import { createShowService } from './showService.ts';
import { wallet } from './wallet.ts';
import { createWalletService, openWallets } from './walletService.ts';

const config: CinemaConfig = {
  wallets: [
    { id: 'rich', initial: 100 },
    { id: 'poor', initial: 5 },
    { id: 'poison', initial: 100 },
    { id: 'slow', initial: 100 },
  ],
  poisonWallets: ['poison'],
  slowReservations: ['r-slow'],
  paymentTimeoutMs: 300,
  slowChargeMs: 700,
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

describe('cinema story, path by path', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cinema-paths-'));
    const bus = createSqliteBus(`sqlite:${path.join(dir, 'bus.db')}`);
    const showStore = createSqliteStore(`sqlite:${path.join(dir, 'show.db')}`, { bus });
    const walletStore = createSqliteStore(`sqlite:${path.join(dir, 'wallet.db')}`, { bus });
    const driverStore = createSqliteStore(`sqlite:${path.join(dir, 'bus.db')}`, { bus });
    const shows = createShowService({ store: showStore, bus, config, logger: silentLogger });
    const gateway = paymentGateway(config);
    const wallets = createWalletService({
      store: walletStore,
      bus,
      config,
      gateway,
      logger: silentLogger,
    });
    await openWallets(wallets, config);
    await wallets.start();
    await shows.start();
    cleanups.push(async () => {
      await shows.stop();
      await wallets.stop();
      await Promise.all([showStore.close(), walletStore.close(), driverStore.close()]);
      await bus.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const driver = createService({ name: 'driver', store: driverStore, bus });
    const reserve = (reservationId: string, walletId: string, seat: string, amount = 10) =>
      driver.publish(showCommands, {
        type: 'ReserveSeat',
        key: reservationId,
        payload: { showId: 'show-1', reservationId, seat, walletId, amount },
      });
    const reservation = async (id: string) => (await shows.load(show, 'show-1')).state.reservations[id];
    const settled = (id: string, status: 'confirmed' | 'cancelled') =>
      until(
        async () => ((await reservation(id))?.status === status ? await reservation(id) : undefined),
        `${id} ${status}`,
      );
    return { bus, gateway, shows, wallets, driver, walletStore, showStore, reserve, reservation, settled };
  }

  const balance = async (wallets: Service, id: string) => (await wallets.load(wallet, id)).state.balance;
  const walletEventsOf = async (store: Store, id: string) =>
    (await store.readStream(wallet.name, id, 0)).map((e) => e.type);

  it('green path: reserve, charge, confirm; the read model knows the show', async () => {
    const story = await start();
    await story.reserve('r-1', 'rich', 'A1', 12);
    await story.settled('r-1', 'confirmed');
    expect(await balance(story.wallets, 'rich')).toBe(88);
    const projected = await until(
      async () =>
        (await story.shows.query(reservations).get('r-1'))?.status === 'confirmed'
          ? story.shows.query(reservations).get('r-1')
          : undefined,
      'the read model',
    );
    expect(projected).toMatchObject({ showId: 'show-1', seat: 'A1', walletId: 'rich' });
  });

  it('insufficient funds: the wallet rejects, the show cancels; no money moves', async () => {
    const story = await start();
    await story.reserve('r-2', 'poor', 'A2', 10);
    expect(await story.settled('r-2', 'cancelled')).toMatchObject({ cancelReason: 'insufficient-funds' });
    expect(await balance(story.wallets, 'poor')).toBe(5);
    expect(await walletEventsOf(story.walletStore, 'poor')).toEqual(['WalletCredited']);
  });

  it('poison wallet: retries, a durable failure record, compensation — while other wallets are charged', async () => {
    const story = await start();
    await story.reserve('r-3', 'poison', 'A3');
    await story.reserve('r-4', 'rich', 'A4');
    expect(await story.settled('r-3', 'cancelled')).toMatchObject({ cancelReason: 'payment-failed' });
    await story.settled('r-4', 'confirmed');
    const [letter] = await story.walletStore.listDeadLetters({ consumer: 'wallet-charger' });
    expect(letter).toMatchObject({
      status: 'escalated',
      attempts: 4,
      message: { key: 'r-3', type: 'SeatReserved' },
      error: { name: 'GatewayError' },
    });
    expect(JSON.parse(letter!.message.payload)).toMatchObject({ walletId: 'poison', reservationId: 'r-3' });
    expect(await balance(story.wallets, 'poison')).toBe(100);
  });

  it('an escalated charge redriven once the gateway recovers: the wallet is charged after all, then refunded', async () => {
    const story = await start();
    await story.reserve('r-8', 'poison', 'A8', 15);
    expect(await story.settled('r-8', 'cancelled')).toMatchObject({ cancelReason: 'payment-failed' });
    const admin = createAdmin({ store: story.walletStore, bus: story.bus });
    const escalated = await admin.deadLetters.list({ status: 'escalated' });
    expect(escalated.map((l) => l.message.key)).toEqual(['r-8']);

    story.gateway.recover('poison');
    const redriven = await admin.deadLetters.redrive(escalated[0]!.id, { by: 'operator' });
    expect(redriven.changed.map((l) => l.id)).toEqual([escalated[0]!.id]);
    await whenAllIdle([story.driver, story.wallets, story.shows]);
    // The replayed charge goes through; the show, whose reservation is cancelled, asks for the money back.
    expect(await walletEventsOf(story.walletStore, 'poison')).toEqual([
      'WalletCredited',
      'WalletCharged',
      'WalletRefunded',
    ]);
    expect(await balance(story.wallets, 'poison')).toBe(100);
    expect(await story.reservation('r-8')).toMatchObject({ status: 'cancelled', refundRequested: true });
    expect(await admin.deadLetters.list({ status: 'escalated' })).toEqual([]);
  });

  it('timeout then late success: a charge confirmed after the reservation was cancelled is refunded exactly once', async () => {
    const story = await start();
    await story.reserve('r-slow', 'slow', 'A5', 20);
    expect(await story.settled('r-slow', 'cancelled')).toMatchObject({ cancelReason: 'payment-timeout' });
    await until(async () => (await story.reservation('r-slow'))?.refundRequested, 'the refund request');
    await until(
      async () => (await walletEventsOf(story.walletStore, 'slow')).includes('WalletRefunded'),
      'the refund',
    );
    // A second delivery of the late charge must not refund again.
    await story.driver.publish(showEvents, {
      type: 'SeatReserved',
      key: 'r-slow',
      payload: { reservationId: 'r-slow', showId: 'show-1', seat: 'A5', walletId: 'slow', amount: 20 },
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await walletEventsOf(story.walletStore, 'slow')).toEqual([
      'WalletCredited',
      'WalletCharged',
      'WalletRefunded',
    ]);
    expect(await balance(story.wallets, 'slow')).toBe(100);
  });

  it('a duplicate cancellation changes nothing, and a redelivered charge never charges twice', async () => {
    const story = await start();
    await story.reserve('r-6', 'rich', 'A6');
    await story.settled('r-6', 'confirmed');
    await story.driver.publish(showEvents, {
      type: 'SeatReserved',
      key: 'r-6',
      payload: { reservationId: 'r-6', showId: 'show-1', seat: 'A6', walletId: 'rich', amount: 10 },
    });
    // The customer reserves and cancels twice at once: the lane of r-7 runs them in order.
    const cancel = {
      type: 'CancelReservation' as const,
      key: 'r-7',
      payload: { showId: 'show-1', reservationId: 'r-7', reason: 'customer' },
    };
    await story.driver.publish(showCommands, [
      {
        type: 'ReserveSeat',
        key: 'r-7',
        payload: { showId: 'show-1', reservationId: 'r-7', seat: 'A7', walletId: 'rich', amount: 10 },
      },
      cancel,
      cancel,
    ]);
    expect(await story.settled('r-7', 'cancelled')).toMatchObject({ cancelReason: 'customer' });
    // The wallet charged r-7 anyway (it learnt of the cancellation later): the charge is refunded.
    await until(
      async () => (await walletEventsOf(story.walletStore, 'rich')).includes('WalletRefunded'),
      'the refund of r-7',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const showStream = await story.showStore.readStream(show.name, 'show-1', 0);
    const about = (id: string, type: string, events: Array<{ type: string; data: unknown }>) =>
      events.filter((e) => e.type === type && (e.data as { reservationId: string }).reservationId === id);
    expect(about('r-7', 'ReservationCancelled', showStream)).toHaveLength(1);
    const walletStream = await story.walletStore.readStream(wallet.name, 'rich', 0);
    expect(about('r-6', 'WalletCharged', walletStream)).toHaveLength(1);
    expect(about('r-7', 'WalletRefunded', walletStream)).toHaveLength(1);
    expect(await balance(story.wallets, 'rich')).toBe(90);
  });
});
