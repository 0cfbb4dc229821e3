/** The console's style sheet: plain CSS, no build step. */
export const CONSOLE_CSS = `
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f8f9fb; --accent: #2e5aac; --bad: #b42318; --ok: #067647; --warn: #b54708; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #1d2330; color: #fff; }
header a { color: #d0d5dd; text-decoration: none; } header a.current, header a:hover { color: #fff; }
header .brand { font-weight: 600; color: #fff; } header .who { margin-left: auto; color: #98a2b3; display: flex; gap: .6rem; align-items: center; }
header form { margin: 0; } header button { background: none; border: 1px solid #475467; color: #d0d5dd; }
main { padding: 1.2rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: 0 0 .8rem; } h2 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; background: #fcfcfd; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
a { color: var(--accent); }
pre, code { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #fff; border: 1px solid var(--line); padding: .6rem .8rem; overflow: auto; margin: 0; }
.muted { color: var(--muted); } .bad { color: var(--bad); } .ok { color: var(--ok); } .warn { color: var(--warn); }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: 12px; background: #eef2f6; }
.badge.parked, .badge.paused, .badge.failed { background: #fee4e2; color: var(--bad); }
.badge.escalated, .badge.retrying, .badge.running { background: #fef0c7; color: var(--warn); }
.badge.redriven, .badge.completed { background: #dcfae6; color: var(--ok); }
form.inline { display: inline; margin: 0; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin-bottom: 1rem; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: .15rem; }
input, select, textarea, button { font: inherit; }
input, select, textarea { border: 1px solid #d0d5dd; border-radius: 6px; padding: .3rem .5rem; background: #fff; }
button { border: 1px solid #d0d5dd; border-radius: 6px; padding: .3rem .8rem; background: #fff; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--bad); border-color: #fda29b; }
button:disabled { opacity: .5; cursor: default; }
textarea { width: 100%; min-height: 14rem; font: 12.5px/1.45 ui-monospace, monospace; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; } dl.facts dt { color: var(--muted); }
.flash { padding: .6rem .9rem; border-radius: 6px; margin-bottom: 1rem; background: #ecfdf3; border: 1px solid #abefc6; }
.flash.error { background: #fef3f2; border-color: #fecdca; }
ul.issues { margin: .4rem 0; color: var(--bad); }
.diff .add { background: #dcfae6; display: block; } .diff .del { background: #fee4e2; display: block; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; margin: .6rem 0; }
progress { width: 320px; height: 14px; }
#charts { margin-bottom: 1rem; } 
.sequence { overflow-x: auto; } #sequence { font: 12px system-ui, sans-serif; }
#sequence .lifeline rect { fill: #eef2f6; stroke: #d0d5dd; } #sequence .lifeline line { stroke: #98a2b3; stroke-dasharray: 4 4; }
#sequence .step line, #sequence .step path { stroke-width: 1.6; } #sequence .step text { fill: var(--fg); }
#sequence .seq-published line, #sequence .seq-published path, #sequence marker.seq-published { stroke: #2e5aac; fill: #2e5aac; }
#sequence .seq-reply line, #sequence .seq-reply path, #sequence marker.seq-reply { stroke: #6941c6; fill: #6941c6; }
#sequence .seq-consumed line, #sequence .seq-consumed path, #sequence marker.seq-consumed { stroke: #067647; fill: #067647; }
#sequence .seq-failed line, #sequence .seq-failed path, #sequence marker.seq-failed { stroke: #b42318; fill: #b42318; }
#sequence .seq-redriven line, #sequence .seq-discarded line, #sequence marker.seq-redriven, #sequence marker.seq-discarded { stroke: #b54708; fill: #b54708; }
#sequence .seq-outbox line { stroke: #667085; stroke-dasharray: 5 3; } #sequence marker.seq-outbox { fill: #667085; }
#sequence .step path[fill="none"] { fill: none; } #sequence .step text { stroke: none; } #sequence a text { fill: var(--accent); text-decoration: underline; }
.chart .plot { min-height: 250px; } .chart h2 { margin-top: 0; }
.chart .u-legend, .chart .u-legend th, .chart .u-legend td { border: none; background: none; }
.chart .u-legend th { text-transform: none; letter-spacing: 0; font-weight: 500; color: var(--fg); font-size: 12px; }
details.partitions summary { cursor: pointer; } details.partitions table { margin-top: .3rem; font-size: 12px; }
.login { max-width: 360px; margin: 8vh auto; } .login input { width: 100%; margin: .3rem 0 .8rem; }
`;

/**
 * The console's script: confirmations, and a group's bulk redrive or discard (dry run, run with a progress bar
 * polled from the server-side job, abort). Plain browser JavaScript, no build step.
 */
export const CONSOLE_JS = `
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => { if (!confirm(form.dataset.confirm)) event.preventDefault(); });
}
async function send(url, body) {
  const response = await fetch(url, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body ?? {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error ?? response.statusText);
  return data;
}
const bulk = document.getElementById('bulk');
if (bulk) {
  const selection = JSON.parse(bulk.dataset.selection);
  const plan = document.getElementById('bulk-plan');
  const progress = document.getElementById('bulk-progress');
  const bar = progress.querySelector('progress');
  const text = document.getElementById('bulk-progress-text');
  const result = document.getElementById('bulk-result');
  const run = document.getElementById('bulk-run');
  const abort = document.getElementById('bulk-abort');
  let action = null;
  let planned = 0;
  for (const button of bulk.querySelectorAll('[data-plan]')) {
    button.addEventListener('click', async () => {
      action = button.dataset.plan;
      result.textContent = '';
      try {
        const answer = await send(bulk.dataset.planUrl, { ...selection, action });
        planned = answer.count;
        document.getElementById('bulk-plan-text').textContent =
          'Dry run: ' + action + ' would act on ' + answer.count + ' of the ' + answer.members +
          ' dead letters in this group' + (answer.skipped > 0 ? ' (' + answer.skipped + ' cannot take it: ' + answer.skippedBy + ')' : '') + '.';
        run.textContent = (action === 'redrive' ? 'Redrive ' : 'Discard ') + answer.count;
        run.className = action === 'redrive' ? 'primary' : 'danger';
        run.disabled = answer.count === 0;
        plan.hidden = false;
      } catch (error) { result.textContent = 'Dry run failed: ' + error.message; result.className = 'bad'; }
    });
  }
  run.addEventListener('click', async () => {
    run.disabled = true;
    const rate = Number(document.getElementById('bulk-rate').value) || undefined;
    try {
      const job = await send(bulk.dataset.jobsUrl, { ...selection, action, rate, expected: planned });
      plan.hidden = true;
      progress.hidden = false;
      abort.onclick = () => send(job.abortUrl).catch(() => {});
      poll(job.url);
    } catch (error) { result.textContent = 'Could not start: ' + error.message; result.className = 'bad'; run.disabled = false; }
  });
  async function poll(url) {
    const job = await (await fetch(url, { credentials: 'same-origin' })).json();
    bar.max = Math.max(job.total, 1);
    bar.value = job.done;
    text.textContent = job.verb + ' ' + job.changed + ', left alone ' + job.untouched + ' — ' + job.done + ' of ' + job.total + (job.state === 'running' ? ' (' + job.rate + '/s)' : '');
    if (job.state === 'running') { setTimeout(() => poll(url), 250); return; }
    abort.hidden = true;
    const lines = [job.summary];
    if (job.joined > 0) lines.push('Warning: ' + job.joined + ' new failure(s) joined this group while the job ran: they were not touched.');
    lines.push('The group now holds ' + job.remaining + ' dead letter(s) matching the filters.');
    result.innerHTML = '';
    for (const line of lines) { const p = document.createElement('p'); p.textContent = line; if (line.startsWith('Warning')) p.className = 'warn'; result.appendChild(p); }
    result.dataset.state = job.state;
    result.dataset.remaining = String(job.remaining);
    const reload = document.createElement('a'); reload.href = location.href; reload.textContent = 'Reload the group'; result.appendChild(reload);
  }
}
`;
