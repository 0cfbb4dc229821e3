import type { DeadLetter } from '@parley/core';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole } from './createConsole.ts';
import { cinemaConsole, OPERATOR, READER, type CinemaConsole } from './fixtures/cinemaConsole.ts';
import { signIn, type ConsoleClient } from './fixtures/signIn.ts';

interface GroupJson {
  fingerprint: { id: string; errorName: string; frame: string; type: string; consumer: string; kind: string };
  count: number;
  firstSeen: string;
  lastSeen: string;
  keys: string[];
  statuses: Record<string, number>;
  ids: string[];
}

describe('the console over the cinema demo’s failures', () => {
  let console_: CinemaConsole;
  let operator: ConsoleClient;
  let reader: ConsoleClient;
  let escalated: DeadLetter[];
  const url = (path: string) => `${console_.url}${path}`;

  beforeAll(async () => {
    console_ = await cinemaConsole();
    [operator, reader] = await Promise.all([
      signIn(console_.url, OPERATOR.secret),
      signIn(console_.url, READER.secret),
    ]);
    escalated = await console_.admin.deadLetters.list({ status: 'escalated' });
  }, 120_000);

  afterAll(async () => {
    await console_?.close();
  });

  const groups = async (client: ConsoleClient, query = ''): Promise<GroupJson[]> => {
    const response = await client.get(`/api/failures${query}`, 'application/json');
    expect(response.status).toBe(200);
    return (await response.json()) as GroupJson[];
  };
  const statusOf = async (id: string) => (await console_.admin.deadLetters.show(id)).status;

  it('answers 401 without a token: a login page for a browser, JSON otherwise', async () => {
    const page = await fetch(url('/failures'), { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('name="token"');
    for (const path of ['/api/failures', '/metrics', '/consumers', `/api/failures/${escalated[0]!.id}`]) {
      expect((await fetch(url(path))).status, path).toBe(401);
    }
    const wrong = await fetch(url('/metrics'), { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
  });

  it('signs in only with a known token and the login form’s own token, into an HttpOnly SameSite=Strict cookie', async () => {
    const form = await fetch(url('/login'));
    const loginCookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
    const check = /name="_login" value="([^"]+)"/.exec(await form.text())![1]!;
    const post = (fields: Record<string, string>, cookie = loginCookie) =>
      fetch(url('/login'), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams(fields),
      });
    expect((await post({ token: 'guess-guess-guess', _login: check })).status).toBe(401);
    expect((await post({ token: OPERATOR.secret, _login: 'forged' })).status).toBe(403);
    expect((await post({ token: OPERATOR.secret, _login: check }, '')).status).toBe(403);
    const ok = await post({ token: OPERATOR.secret, _login: check, next: 'https://elsewhere.example/' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/failures');
    const session = ok.headers.getSetCookie().find((c) => c.startsWith('parley_console='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
  });

  it('groups the failures by fingerprint, with count, first and last seen and the keys', async () => {
    expect(escalated.length).toBeGreaterThan(0);
    const found = await groups(reader);
    const charges = found.filter((g) => g.fingerprint.consumer === 'wallet-charger');
    expect(charges).toHaveLength(1);
    const [group] = charges;
    expect(group!.fingerprint).toMatchObject({
      errorName: 'GatewayError',
      type: 'SeatReserved',
      kind: 'message',
    });
    // The first frame of the application's code, not the consumer engine's.
    expect(group!.fingerprint.frame).toMatch(/paymentGateway\.ts:\d+/);
    expect(group!.count).toBe(escalated.length);
    expect(group!.ids.sort()).toEqual(escalated.map((d) => d.id).sort());
    expect(group!.keys.sort()).toEqual([...new Set(escalated.map((d) => d.message.key))].sort());
    expect(group!.statuses).toEqual({ escalated: escalated.length });
    expect(group!.firstSeen).toBe(escalated.map((d) => d.firstFailedAt).sort()[0]);
    expect(group!.lastSeen).toBe(
      escalated
        .map((d) => d.lastFailedAt)
        .sort()
        .at(-1),
    );
    // Filters and search narrow before grouping.
    expect(await groups(reader, '?kind=workflow')).toEqual([]);
    expect(await groups(reader, '?status=parked')).toEqual([]);
    expect((await groups(reader, `?q=${escalated[0]!.message.key}`))[0]?.count).toBe(1);
    const html = await (await reader.get('/failures')).text();
    expect(html).toContain(`data-group="${group!.fingerprint.id}"`);
    expect(html).toContain('GatewayError');
  });

  it('masks sensitive headers in pages and JSON', async () => {
    const [deadLetter] = escalated;
    const real = deadLetter!.message.headers.correlationId!;
    const json = (await (
      await reader.get(`/api/failures/${deadLetter!.id}`, 'application/json')
    ).json()) as DeadLetter;
    expect(json.message.headers.correlationId).toBe('••••••');
    expect(json.message.headers.causationId).toBe(deadLetter!.message.headers.causationId);
    const page = await (await reader.get(`/failures/${deadLetter!.id}`)).text();
    expect(page).toContain('••••••');
    expect(page).not.toContain(real);
    expect(page).toContain('GatewayError');
  });

  it('refuses a change without the CSRF token, or with a wrong one (403), and changes nothing', async () => {
    const id = escalated[0]!.id;
    expect((await operator.form(`/failures/${id}/redrive`, {}, { csrf: false })).status).toBe(403);
    expect((await operator.post(`/failures/${id}/redrive`, {}, { csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await operator.post(`/failures/${id}/redrive`, {}, { csrf: false })).status).toBe(403);
    // A cookie alone, as another site's form would send it.
    const crossSite = await fetch(url(`/failures/${id}/discard`), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: operator.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(crossSite.status).toBe(403);
    expect(await statusOf(id)).toBe('escalated');
  });

  it('lets a read-only token see, not change', async () => {
    const id = escalated[0]!.id;
    expect((await reader.form(`/failures/${id}/redrive`, {})).status).toBe(403);
    expect((await reader.post(`/failures/groups/x/jobs`, { action: 'redrive' })).status).toBe(403);
    expect((await reader.form('/consumers/wallet-charger/pause', { reason: 'no' })).status).toBe(403);
    // A Bearer token reads, and never changes: changes need a browser session and its CSRF token.
    const bearer = await fetch(url(`/failures/${id}/redrive`), {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR.secret}` },
    });
    expect(bearer.status).toBe(403);
    const page = await (await reader.get(`/failures/${id}`)).text();
    expect(page).not.toContain('Save and redrive');
    expect(await statusOf(id)).toBe('escalated');
    expect((await reader.get('/consumers')).status).toBe(200);
  });

  it('checks an edit against the schema inline, then shows its diff, changing nothing', async () => {
    const deadLetter = escalated[0]!;
    const payload = JSON.parse(deadLetter.message.payload) as Record<string, unknown>;
    const invalid = await operator.form(`/failures/${deadLetter.id}/edit`, {
      payload: JSON.stringify({ ...payload, amount: 'lots' }),
      intent: 'check',
    });
    expect(invalid.status).toBe(400);
    const invalidPage = await invalid.text();
    expect(invalidPage).toMatch(/<ul class="issues" id="edit-issues">[\s\S]*<code>amount<\/code>/);
    const notJson = await operator.form(`/failures/${deadLetter.id}/edit`, {
      payload: '{"amount":',
      intent: 'apply',
    });
    expect(await notJson.text()).toContain('not valid JSON');
    const valid = await operator.form(`/failures/${deadLetter.id}/edit`, {
      payload: JSON.stringify({ ...payload, amount: 1 }),
      intent: 'check',
    });
    expect(valid.status).toBe(200);
    const diff = await valid.text();
    expect(diff).toContain(`<span class="del">-   &quot;amount&quot;: ${String(payload.amount)}</span>`);
    expect(diff).toContain('<span class="add">+   &quot;amount&quot;: 1</span>');
    expect(await console_.admin.deadLetters.show(deadLetter.id)).toEqual(deadLetter);
  });

  it('shows consumers and topics, and serves /metrics to a Bearer token', async () => {
    const consumers = await (await reader.get('/consumers')).text();
    expect(consumers).toContain('data-consumer="wallet-charger"');
    expect(consumers).toContain(`escalated ${escalated.length}`);
    const topics = await (await reader.get('/topics')).text();
    expect(topics).toContain('data-topic="show-events"');
    const metrics = await fetch(url('/metrics'), { headers: { authorization: `Bearer ${READER.secret}` } });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toContain(
      `parley_dead_letters{messaging_consumer_group_name="wallet-charger",status="escalated"} ${escalated.length}`,
    );
    expect(text).toMatch(
      /parley_consumer_lag_messages\{messaging_consumer_group_name="wallet-charger",messaging_destination_name="show-events"\} \d+/,
    );
    expect(text).toContain(
      'parley_consumer_lag_seconds{messaging_consumer_group_name="wallet-charger",messaging_destination_name="show-events"} 0',
    );
    expect(text).toMatch(
      /parley_consumer_throughput_messages_per_second\{messaging_consumer_group_name="wallet-charger",messaging_destination_name="show-events"\} [\d.]+/,
    );
    expect(text).toContain('parley_outbox_backlog_messages 0');
    expect(text).toContain('parley_outbox_failed_messages 0');
    expect(text).toContain('# TYPE parley_workflow_runs gauge');
    expect(text).toContain('# TYPE parley_parked_key_oldest_age_seconds gauge');
  });

  it('charts the throughput and lag the demo’s consumers sampled, and their lag per partition', async () => {
    const history = await console_.admin.consumers.history({ consumer: 'wallet-charger' });
    const handled = history.flatMap((h) => h.points).reduce((sum, p) => sum + p.processed, 0);
    // Every reservation's charge request went through the charger at least once.
    expect(handled).toBeGreaterThanOrEqual(100);
    const consumers = await (await reader.get('/consumers')).text();
    const data = (id: string) => {
      const match = new RegExp(
        `id="chart-${id}"[\\s\\S]*?<script type="application/json">([\\s\\S]*?)</script>`,
      ).exec(consumers);
      return JSON.parse(match![1]!) as { x: number[]; series: Array<{ label: string; values: number[] }> };
    };
    const throughput = data('throughput');
    expect(throughput.x.length).toBeGreaterThan(0);
    const charger = throughput.series.find((s) => s.label === 'wallet-charger (show-events)');
    expect(charger?.values.some((v) => v > 0)).toBe(true);
    expect(data('lag').series.map((s) => s.label)).toEqual(throughput.series.map((s) => s.label));
    expect(consumers).toContain('src="/assets/uplot.js"');
    expect((await reader.get('/assets/uplot.js')).status).toBe(200);
    // The demo settled: nothing left behind, in messages or seconds, in any partition.
    const row = /data-consumer="wallet-charger"[\s\S]*?<\/tr>\s*<\/table>[\s\S]*?lag-seconds">([^<]*)</.exec(
      consumers,
    );
    expect(row?.[1]?.trim()).toBe('0 s');
    expect(consumers).toContain('data-partition="3"');
  });

  it('traces a poison message’s saga across services as a sequence diagram, from its failure’s page', async () => {
    const poisoned = escalated.find((d) => d.error.name === 'GatewayError')!;
    const failurePage = await (await reader.get(`/failures/${poisoned.id}`)).text();
    expect(failurePage).toContain(`href="/trace?failure=${poisoned.id}"`);
    const trace = await console_.admin.trace(poisoned.message.headers.correlationId!);
    expect(trace.searchedBus).toBe(true);
    // The reservation, the charge request the charger failed on, and what the show did after the escalation.
    const types = trace.messages.map((m) => `${m.topic}:${m.type}`);
    expect(types).toContain(`${poisoned.message.source}:${poisoned.message.type}`);
    expect(trace.messages.length).toBeGreaterThan(1);
    expect(trace.steps.some((s) => s.kind === 'failed' && s.deadLetter.id === poisoned.id)).toBe(true);
    expect(trace.steps.some((s) => s.kind === 'consumed')).toBe(true);

    const body = await (await reader.get(`/trace?failure=${poisoned.id}`)).text();
    expect(body).toContain('<svg');
    expect(body).toContain(
      `data-kind="failed" data-from="topic ${poisoned.message.source}" data-to="wallet-charger"`,
    );
    expect(body).toMatch(/data-kind="published"/);
    expect(body).toMatch(/data-kind="consumed"/);
    expect(body).toContain(`href="/failures/${poisoned.id}"`);
    // The correlation id is a sensitive header here: the page's title masks it.
    expect(body).toContain('<h1>Saga ••••••</h1>');
    // What the charger published after the escalation (the failure, as a domain event) is drawn from it.
    expect(body).toContain('data-kind="published" data-from="wallet-charger" data-to="topic wallet-events"');
    for (const m of trace.messages) expect(body).toContain(`data-message="${m.id}"`);
    expect((await reader.get('/trace?correlationId=no-such-saga')).status).toBe(200);
    expect(await (await reader.get('/trace?correlationId=no-such-saga')).text()).toContain(
      'id="trace-empty"',
    );
    expect((await reader.get('/trace?failure=nope')).status).toBe(404);
  });

  it('mounts under a path of a larger app: links, forms and the cookie keep to it', async () => {
    const host = new Hono();
    host.get('/', (c) => c.text('the host app'));
    host.route('/ops', createConsole(console_.admin, { tokens: [OPERATOR], basePath: '/ops' }));
    const form = await host.request('/ops/login');
    const page = await form.text();
    expect(page).toContain('action="/ops/login"');
    const check = /name="_login" value="([^"]+)"/.exec(page)![1]!;
    const login = await host.request('/ops/login', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: form.headers.getSetCookie()[0]!.split(';')[0]!,
      },
      body: new URLSearchParams({ token: OPERATOR.secret, _login: check, next: '/ops/consumers' }),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/ops/consumers');
    const session = login.headers.getSetCookie().find((c) => c.startsWith('parley_console='))!;
    expect(session).toMatch(/Path=\/ops/);
    const consumers = await host.request('/ops/consumers', { headers: { cookie: session.split(';')[0]! } });
    expect(consumers.status).toBe(200);
    expect(await consumers.text()).toContain('href="/ops/failures"');
    expect(await (await host.request('/')).text()).toBe('the host app');
  });

  it('dry-runs a group redrive (its count is the group’s size), then redrives the group until it drains', async () => {
    const [group] = (await groups(operator)).filter((g) => g.fingerprint.consumer === 'wallet-charger');
    const selection = { status: 'open' };
    const plan = await operator.post(`/failures/groups/${group!.fingerprint.id}/plan`, {
      ...selection,
      action: 'redrive',
    });
    expect(plan.status).toBe(200);
    expect(await plan.json()).toMatchObject({
      action: 'redrive',
      members: group!.count,
      count: group!.count,
      skipped: 0,
    });
    // A dry run changes nothing.
    expect(await statusOf(group!.ids[0]!)).toBe('escalated');
    const start = await operator.post(`/failures/groups/${group!.fingerprint.id}/jobs`, {
      ...selection,
      action: 'redrive',
    });
    expect(start.status).toBe(202);
    let job = (await start.json()) as {
      url: string;
      state: string;
      total: number;
      changed: number;
      remaining: number;
      joined: number;
      by: string;
    };
    expect(job.total).toBe(group!.count);
    while (job.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await (
        await operator.get(job.url.replace(console_.url, ''), 'application/json')
      ).json()) as typeof job;
    }
    expect(job).toMatchObject({
      state: 'done',
      changed: group!.count,
      remaining: 0,
      joined: 0,
      by: OPERATOR.label,
    });
    expect((await groups(operator)).filter((g) => g.fingerprint.id === group!.fingerprint.id)).toEqual([]);
    for (const id of group!.ids) expect(await statusOf(id)).toBe('redriven');
    const drained = await (await operator.get(`/failures/groups/${group!.fingerprint.id}`)).text();
    expect(drained).toContain('it is drained');
    // Audited: who, when, what.
    const audit = console_.logs.flatMap((l) =>
      l.audit === undefined ? [] : [l.audit as Record<string, unknown>],
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        by: OPERATOR.label,
        action: 'bulk-redrive',
        at: expect.stringMatching(/Z$/) as unknown,
      }),
    );
  });
});
