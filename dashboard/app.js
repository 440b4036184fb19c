// AP Orchestrator dashboard: plain JS, no build step. All text goes through textContent.
(function () {
  'use strict';
  const token = new URLSearchParams(location.search).get('token') || '';
  const feedLimit = 200;
  const state = { runId: null, run: null, objectives: new Map(), waves: [], workers: new Map(), violations: [], lastSeq: new Map(), runs: [], wanted: new URLSearchParams(location.search).get('run') };
  let socket = null;
  let retryMs = 500;
  let renderPending = false;
  const shownWorkers = new Set();

  const $ = (id) => document.getElementById(id);
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(scheme + '://' + location.host + '/ws?token=' + encodeURIComponent(token));
    socket.onopen = () => {
      retryMs = 500;
      setConnection(true);
      send({ type: 'list_runs' });
      if (state.runId) send({ type: 'subscribe', run_id: state.runId, after_seq: state.lastSeq.get(state.runId) || 0 });
    };
    socket.onmessage = (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      (Array.isArray(data) ? data : [data]).forEach(handle);
      scheduleRender();
    };
    socket.onclose = (event) => {
      setConnection(false, event.code === 1008 ? 'refused: ' + (event.reason || 'check the token in the URL') : '');
      if (event.code !== 1008) setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function setConnection(connected, detail) {
    const node = $('connection');
    node.className = 'connection ' + (connected ? 'connected' : 'disconnected');
    node.dataset.state = connected ? 'connected' : 'disconnected';
    node.textContent = connected ? '● Connected' : '● Disconnected' + (detail ? ' (' + detail + ')' : '');
  }

  function selectRun(runId) {
    if (state.runId === runId) return;
    state.runId = runId;
    state.run = null;
    state.objectives = new Map();
    state.waves = [];
    state.workers = new Map();
    state.violations = [];
    state.lastSeq.delete(runId);
    send({ type: 'subscribe', run_id: runId, after_seq: 0 });
    scheduleRender();
  }

  function handle(message) {
    if (message.type === 'runs') {
      state.runs = message.runs || [];
      if (!state.runId && state.runs.length > 0) {
        const wanted = state.runs.find((run) => run.run_id === state.wanted);
        const running = state.runs.find((run) => run.status === 'running');
        selectRun((wanted || running || state.runs[0]).run_id);
      } else if (!state.runId) {
        // Nothing to show yet: listen to every run, to catch the first one starting.
        send({ type: 'subscribe' });
      }
      return;
    }
    if (typeof message.seq !== 'number') return;
    if (message.type === 'run_started' && message.run_id !== state.runId) {
      send({ type: 'list_runs' });
      // A new run takes the view unless one is being watched; its start is applied right here.
      if (state.run && state.run.status === 'running') return;
      selectRun(message.run_id);
    }
    if (message.run_id !== state.runId) {
      if (message.type === 'run_finished') send({ type: 'list_runs' });
      return;
    }
    if ((state.lastSeq.get(message.run_id) || 0) >= message.seq) return;
    state.lastSeq.set(message.run_id, message.seq);
    apply(message);
  }

  function apply(message) {
    switch (message.type) {
      case 'run_started':
        state.run = { id: message.run_id, request: message.request, status: 'running', phase: 'execute', wave: 0, branch: message.integration_branch };
        state.waves = (message.waves || []).map((wave) => ({ wave: wave.wave, objectives: wave.objectives }));
        (message.objectives || []).forEach((objective) => state.objectives.set(objective.id, { id: objective.id, title: objective.title, state: 'pending', worker: null }));
        (message.workers || []).forEach(updateWorker);
        break;
      case 'phase_started':
        if (state.run) state.run.phase = message.phase;
        break;
      case 'wave_started':
        if (state.run) state.run.wave = message.wave;
        break;
      case 'objective_started':
        setObjective(message.objective_id, { state: 'running', worker: message.worker_id });
        break;
      case 'objective_finished':
        setObjective(message.objective_id, { state: message.state, error: message.error });
        break;
      case 'scope_violation':
        state.violations.push(message);
        break;
      case 'worker_activity':
        addActivity(message.worker_id, message);
        break;
      case 'worker_metrics':
        updateWorker(message);
        break;
      case 'worker_error':
        if (message.worker_id) addActivity(message.worker_id, { activity_type: 'error', description: message.error, timestamp: message.timestamp });
        break;
      case 'run_finished':
        if (state.run) {
          state.run.status = message.status;
          state.run.phase = 'done';
        }
        send({ type: 'list_runs' });
        break;
    }
  }

  function setObjective(id, fields) {
    const objective = state.objectives.get(id) || { id: id, title: id, state: 'pending' };
    state.objectives.set(id, Object.assign(objective, fields));
  }

  function worker(id) {
    if (!state.workers.has(id)) state.workers.set(id, { id: id, status: 'idle', done: 0, failed: 0, files: [], tools: {}, uptime: 0, feed: [] });
    return state.workers.get(id);
  }

  function updateWorker(metrics) {
    const entry = worker(metrics.worker_id);
    entry.status = metrics.status || entry.status;
    entry.agent = metrics.agent;
    entry.done = metrics.tasks_completed || 0;
    entry.failed = metrics.tasks_failed || 0;
    entry.files = metrics.files_modified || [];
    entry.tools = metrics.tools_used || {};
    entry.uptime = metrics.uptime_seconds || 0;
    entry.tokens = (metrics.input_tokens || 0) + (metrics.output_tokens || 0);
    entry.cost = metrics.cost_usd || 0;
  }

  function addActivity(workerId, activity) {
    if (!workerId) return;
    const entry = worker(workerId);
    entry.feed.push(activity);
    if (entry.feed.length > feedLimit) entry.feed.splice(0, entry.feed.length - feedLimit);
  }

  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(() => {
      renderPending = false;
      render();
    });
  }

  function render() {
    const run = state.run;
    $('run-id').textContent = run ? run.id : state.runId || 'No run yet';
    $('run-status').textContent = run ? run.status : '';
    $('run-status').className = 'badge ' + (run ? run.status : '');
    $('run-request').textContent = run ? run.request : '';
    $('run-phase').textContent = run ? run.phase : '-';
    $('run-wave').textContent = run ? run.wave + ' of ' + state.waves.length : '-';
    $('run-branch').textContent = run && run.branch ? run.branch : '-';
    const objectives = Array.from(state.objectives.values());
    const finished = objectives.filter((objective) => ['merged', 'no_changes', 'failed', 'blocked', 'rolled_back', 'cancelled'].indexOf(objective.state) !== -1).length;
    $('run-progress').textContent = finished + ' / ' + objectives.length;
    $('progress-bar').style.width = objectives.length ? (100 * finished) / objectives.length + '%' : '0';
    renderWaves();
    renderWorkers();
    renderViolations();
    renderHistory();
  }

  function renderWaves() {
    const container = $('waves');
    container.replaceChildren();
    state.waves.forEach((wave) => {
      const row = el('div', 'wave');
      row.appendChild(el('span', 'wave-label', 'Wave ' + wave.wave));
      wave.objectives.forEach((id) => {
        const objective = state.objectives.get(id) || { state: 'pending' };
        const chip = el('span', 'objective state-' + objective.state, id + ': ' + objective.state + (objective.worker ? ' @' + objective.worker : ''));
        chip.dataset.objective = id;
        chip.dataset.state = objective.state;
        if (objective.error) chip.title = objective.error;
        row.appendChild(chip);
      });
      container.appendChild(row);
    });
  }

  function renderWorkers() {
    const container = $('workers');
    container.replaceChildren();
    Array.from(state.workers.values()).forEach((entry) => {
      // Cards are rebuilt on every render; only a worker seen for the first time slides in.
      const card = el('article', 'glass worker' + (shownWorkers.has(entry.id) ? '' : ' appear'));
      shownWorkers.add(entry.id);
      card.dataset.worker = entry.id;
      const head = el('div', 'worker-head');
      head.appendChild(el('span', 'worker-name', entry.id));
      if (entry.agent) head.appendChild(el('span', 'worker-agent', entry.agent));
      head.appendChild(el('span', 'badge status-' + entry.status, '● ' + entry.status));
      card.appendChild(head);
      const numbers = el('div', 'numbers');
      const cells = [['Tasks', entry.done], ['Failed', entry.failed], ['Files', entry.files.length], ['Uptime', formatUptime(entry.uptime)]];
      // Agents that report token use show it; the built-in worker has none.
      if (entry.tokens) cells.push(['Tokens', formatCount(entry.tokens)]);
      if (entry.cost) cells.push(['Cost', '$' + entry.cost.toFixed(entry.cost < 1 ? 4 : 2)]);
      cells.forEach((pair) => {
        const cell = el('span', null, pair[0] + ': ');
        const value = el('b', null, pair[1]);
        value.dataset.metric = pair[0].toLowerCase();
        cell.appendChild(value);
        numbers.appendChild(cell);
      });
      card.appendChild(numbers);
      const tools = el('ul', 'tools');
      Object.keys(entry.tools).sort((a, b) => entry.tools[b] - entry.tools[a]).forEach((name) => {
        const item = el('li', null, '• ' + name + ' ' + entry.tools[name]);
        item.dataset.tool = name;
        tools.appendChild(item);
      });
      card.appendChild(tools);
      const feed = el('ul', 'feed');
      entry.feed.slice(-50).forEach((activity) => {
        const item = el('li', 'kind-' + (activity.activity_type || 'message'));
        item.appendChild(el('time', null, (activity.timestamp || '').slice(11, 19)));
        item.appendChild(document.createTextNode((activity.tool_name ? activity.tool_name + ' - ' : '') + (activity.description || '')));
        feed.appendChild(item);
      });
      card.appendChild(feed);
      container.appendChild(card);
      feed.scrollTop = feed.scrollHeight;
    });
  }

  function renderViolations() {
    $('violations-panel').hidden = state.violations.length === 0;
    const list = $('violations');
    list.replaceChildren();
    state.violations.forEach((violation) => list.appendChild(el('li', null, (violation.objective_id || 'shared tree') + ': ' + violation.file + ' (' + violation.reason + ')')));
  }

  function renderHistory() {
    const list = $('history');
    list.replaceChildren();
    state.runs.forEach((run) => {
      const item = el('li', run.run_id === state.runId ? 'selected' : '');
      item.dataset.run = run.run_id;
      item.appendChild(el('span', null, run.run_id));
      item.appendChild(el('span', 'badge ' + run.status, run.status));
      item.appendChild(el('span', null, run.repo));
      item.addEventListener('click', () => selectRun(run.run_id));
      list.appendChild(item);
    });
  }

  function formatCount(count) {
    return count >= 1e6 ? (count / 1e6).toFixed(1) + 'M' : count >= 1e3 ? (count / 1e3).toFixed(1) + 'k' : String(count);
  }

  function formatUptime(seconds) {
    const whole = Math.round(seconds);
    return Math.floor(whole / 60) + 'm ' + (whole % 60) + 's';
  }

  connect();
})();
