/**
 * Starts Debian's ejabberd and Prosody (installed by `scripts/install-bench-deps.sh`) as peers to compare
 * Samizdat with: each on loopback only, on free ports, with its own config and data in a fresh folder under
 * the caller's scratch folder, running as its own system user, with an XMPP-over-WebSocket (RFC 7395)
 * endpoint and TLS off. Users are made by in-band registration (XEP-0077) over that endpoint, many at once.
 */
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { freePort } from './server-control.ts';
import { WebSocket } from 'ws';

export interface XmppUser {
  /** Bare JID, `user@domain`. */
  jid: string;
  password: string;
}

export interface XmppServer {
  /** `ejabberd+mam`, `ejabberd` or `prosody`. */
  readonly name: string;
  /** `ws://127.0.0.1:<port>/<path>` */
  readonly wsUrl: string;
  readonly domain: string;
  readonly users: XmppUser[];
  /** The server's operating-system process (the Erlang VM, the Lua interpreter). */
  readonly pid?: number;
  /** Debian package version, e.g. `23.01-1`. */
  readonly version: string;
  /** Milliseconds from spawn until the WebSocket endpoint answered. */
  readonly startMs: number;
  /** Milliseconds the registration of all users took. */
  readonly registerMs: number;
  /** Where its config, data and log are (removed with the caller's scratch folder). */
  readonly dir: string;
  /** Resident memory now and at its peak, in KiB, from /proc/<pid>/status. */
  memory(): { rssKiB: number; peakRssKiB: number } | undefined;
  /** Stops the server and waits until its processes have exited. */
  stop(): Promise<void>;
}

export interface StartEjabberdOptions {
  /** With mod_mam (message archive, `default: always`, in SQLite); without, only routing and SQLite auth. */
  archive: boolean;
  scratchDir: string;
  users: number;
}

export interface StartProsodyOptions {
  scratchDir: string;
  users: number;
}

const DOMAIN = 'localhost';
/** The SQLite schema Debian's ejabberd ships (the default, single-host one). */
const EJABBERD_SCHEMA = '/usr/share/ejabberd/sql/lite.sql';


function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`Cannot find the system user ${name}: run scripts/install-bench-deps.sh first`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function packageVersion(name: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`Cannot find Debian's ${name} package: run scripts/install-bench-deps.sh first`);
  }
}

/** A fresh folder under `scratchDir` that the server's user owns and can reach. */
function serverDir(scratchDir: string, prefix: string, owner: { uid: number; gid: number }): string {
  mkdirSync(scratchDir, { recursive: true });
  // mkdtemp makes folders 0700: the server's user must be able to traverse the scratch folder.
  chmodSync(scratchDir, statSync(scratchDir).mode | 0o011);
  const dir = mkdtempSync(join(scratchDir, prefix));
  chmodSync(dir, 0o755);
  chownSync(dir, owner.uid, owner.gid);
  return dir;
}

function writeOwned(path: string, text: string, owner: { uid: number; gid: number }): void {
  writeFileSync(path, text);
  chownSync(path, owner.uid, owner.gid);
}

function mkdirOwned(path: string, owner: { uid: number; gid: number }): void {
  mkdirSync(path, { recursive: true });
  chownSync(path, owner.uid, owner.gid);
}

/** Resolves when something accepts a TCP connection on the port; rejects when `exited` settles first or after `timeoutMs`. */
async function waitForPort(port: number, exited: Promise<unknown>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`Cannot start ${what}: its process exited before listening on ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Cannot start ${what}: nothing listened on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function readMemory(pid: number | undefined): { rssKiB: number; peakRssKiB: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssKiB: kib('VmRSS'), peakRssKiB: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** The pids of the process group's members (the server's own processes: it runs in a group of its own). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of execFileSync('ps', ['-e', '-o', 'pid=,pgid='], { encoding: 'utf8' }).trim().split('\n')) {
    const [pid, group] = entry.trim().split(/\s+/).map(Number);
    if (group === pgid && pid !== undefined) members.push(pid);
  }
  return members;
}

/**
 * Spawns `command` as `owner` in a process group of its own, so that stopping it reaches every process it
 * started (ejabberdctl → erl → beam.smp, erl_child_setup).
 */
function spawnServer(command: string, args: string[], dir: string, owner: { uid: number; gid: number }, logName: string) {
  const child: ChildProcess = spawn(command, args, {
    cwd: dir,
    uid: owner.uid,
    gid: owner.gid,
    detached: true,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pgid = child.pid!;
  const stop = async () => {
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pgid, signal);
      } catch {
        // Already gone.
      }
    };
    signalGroup('SIGTERM');
    const deadline = Date.now() + 15_000;
    while (groupMembers(pgid).length > 0) {
      if (Date.now() > deadline) {
        signalGroup('SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 200));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await exited;
  };
  return { child, exited, stop, output: () => `${logName}: ${output.trim()}` };
}

/**
 * Registers `count` users `bench<i>@domain` by XEP-0077 in-band registration over the server's WebSocket
 * endpoint, `concurrency` streams at once (one registration per stream). Much faster than
 * `ejabberdctl register` / `prosodyctl register`, which start a whole VM per call (about a second each).
 */
export async function registerInBand(wsUrl: string, domain: string, count: number, concurrency = 16): Promise<XmppUser[]> {
  const users = Array.from({ length: count }, (_, i) => ({ jid: `bench${i}@${domain}`, password: `pw-${i}-${Math.random().toString(36).slice(2, 10)}` }));
  let next = 0;
  const lane = async () => {
    while (next < users.length) {
      const user = users[next++]!;
      await registerOne(wsUrl, domain, user);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return users;
}

async function registerOne(wsUrl: string, domain: string, user: XmppUser, attempts = 20): Promise<void> {
  const username = user.jid.slice(0, user.jid.indexOf('@'));
  for (let attempt = 1; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(wsUrl, ['xmpp']);
        const timer = setTimeout(() => {
          socket.terminate();
          reject(new Error(`Cannot register ${user.jid}: no answer within 10 s`));
        }, 10_000);
        let sent = false;
        let received = '';
        socket.on('open', () => socket.send(`<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="${domain}" version="1.0"/>`));
        socket.on('message', (data) => {
          received += data.toString();
          if (!sent && /<(stream:)?features/.test(received)) {
            sent = true;
            received = '';
            socket.send(
              `<iq type="set" id="reg1" xmlns="jabber:client"><query xmlns="jabber:iq:register"><username>${username}</username><password>${user.password}</password></query></iq>`,
            );
            return;
          }
          const iq = /<iq\b[^>]*\btype=['"](result|error)['"][^>]*>/.exec(received);
          if (sent && iq) {
            clearTimeout(timer);
            socket.send('<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>');
            socket.close();
            if (iq[1] === 'result') resolve();
            else reject(new Error(`Cannot register ${user.jid}: ${received.slice(0, 400)}`));
          }
        });
        socket.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        socket.on('close', () => {
          clearTimeout(timer);
          reject(new Error(`Cannot register ${user.jid}: the stream closed (${received.slice(0, 400)})`));
        });
      });
      return;
    } catch (error) {
      // The HTTP listener can be up a moment before the XMPP host is ready.
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** ejabberd from Debian's package, as the ejabberd user, with SQLite storage (and mod_mam when `archive`). */
export async function startEjabberd(options: StartEjabberdOptions): Promise<XmppServer> {
  const owner = systemUser('ejabberd');
  const version = packageVersion('ejabberd');
  const dir = serverDir(options.scratchDir, 'ejabberd-', owner);
  const [wsPort, distPort] = [await freePort(), await freePort()];
  for (const sub of ['etc', 'db', 'log']) mkdirOwned(join(dir, sub), owner);
  // The SQLite database, made here rather than by ejabberd (which loads the same lite.sql into an empty
  // file, but leaves SQLite's rollback journal on): in WAL mode, synchronous=FULL (SQLite's default, kept
  // by ejabberd's connection), as Samizdat's store is. With the rollback journal every archived message
  // costs several fsyncs and the figure is the disk's, not ejabberd's.
  const database = join(dir, 'db', 'ejabberd.sqlite');
  const db = new Sqlite(database);
  db.pragma('journal_mode = WAL');
  db.exec(readFileSync(EJABBERD_SCHEMA, 'utf8'));
  db.close();
  chownSync(database, owner.uid, owner.gid);
  const modules = [
    '  mod_disco: {}',
    '  mod_ping: {}',
    '  mod_roster: {}',
    '  mod_offline: {}',
    // XEP-0198: the sender's acks.
    '  mod_stream_mgmt: {}',
    '  mod_carboncopy: {}',
    ...(options.archive ? ['  mod_mam: {default: always}'] : []),
    '  mod_register: {access: register, ip_access: all}',
  ];
  writeOwned(
    join(dir, 'etc', 'ejabberd.yml'),
    [
      'loglevel: warning',
      `hosts: [${DOMAIN}]`,
      'listen:',
      `  - {port: ${wsPort}, ip: "127.0.0.1", module: ejabberd_http, backlog: 1024, request_handlers: {/ws: ejabberd_http_ws}}`,
      'default_db: sql',
      'sql_type: sqlite',
      `sql_database: "${database}"`,
      'auth_method: sql',
      'auth_password_format: scram',
      'registration_timeout: infinity',
      'acl:',
      '  local: {user_regexp: ""}',
      'access_rules:',
      '  local: {allow: local}',
      '  c2s: {allow: all}',
      '  register: {allow: all}',
      'shaper_rules: {}',
      'modules:',
      ...modules,
      '',
    ].join('\n'),
    owner,
  );
  // No epmd: the node listens for ejabberdctl on a port of its own (ERL_DIST_PORT), on loopback only.
  writeOwned(
    join(dir, 'etc', 'ejabberdctl.cfg'),
    [
      `ERLANG_NODE=ejabberd${distPort}@localhost`,
      `ERL_DIST_PORT=${distPort}`,
      'ERL_EPMD_ADDRESS=127.0.0.1',
      'ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -kernel inet_dist_use_interface {127,0,0,1}"',
      `EJABBERD_PID_PATH=${join(dir, 'ejabberd.pid')}`,
      '',
    ].join('\n'),
    owner,
  );
  writeOwned(join(dir, 'etc', 'inetrc'), `{lookup,["file","native"]}.\n{host,{127,0,0,1}, ["localhost"]}.\n`, owner);

  const started = performance.now();
  const server = spawnServer(
    '/usr/sbin/ejabberdctl',
    ['--config-dir', join(dir, 'etc'), '--spool', join(dir, 'db'), '--logs', join(dir, 'log'), 'foreground'],
    dir,
    owner,
    'ejabberd',
  );
  try {
    await waitForPort(wsPort, server.exited, 'ejabberd');
    const wsUrl = `ws://127.0.0.1:${wsPort}/ws`;
    const startMs = performance.now() - started;
    const registering = performance.now();
    const users = await registerInBand(wsUrl, DOMAIN, options.users);
    const registerMs = performance.now() - registering;
    const beam = groupMembers(server.child.pid!).find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('beam'));
    return {
      name: options.archive ? 'ejabberd+mam' : 'ejabberd',
      wsUrl,
      domain: DOMAIN,
      users,
      pid: beam,
      version,
      startMs: Math.round(startMs),
      registerMs: Math.round(registerMs),
      dir,
      memory: () => readMemory(beam),
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${server.output()}\n${tail(join(dir, 'log', 'ejabberd.log'))}`);
  }
}

/** Prosody from Debian's package, as the prosody user, with internal (file) storage, mod_mam and mod_smacks. */
export async function startProsody(options: StartProsodyOptions): Promise<XmppServer> {
  const owner = systemUser('prosody');
  const version = packageVersion('prosody');
  const dir = serverDir(options.scratchDir, 'prosody-', owner);
  const [httpPort, c2sPort] = [await freePort(), await freePort()];
  for (const sub of ['data', 'certs']) mkdirOwned(join(dir, sub), owner);
  const config = join(dir, 'prosody.cfg.lua');
  writeOwned(
    config,
    [
      `pidfile = "${join(dir, 'prosody.pid')}"`,
      `data_path = "${join(dir, 'data')}"`,
      `certificates = "${join(dir, 'certs')}"`,
      `log = { warn = "${join(dir, 'prosody.log')}" }`,
      'interfaces = { "127.0.0.1" }; local_interfaces = { "127.0.0.1" }',
      `c2s_ports = { ${c2sPort} }; c2s_direct_tls_ports = { }; s2s_ports = { }`,
      `http_interfaces = { "127.0.0.1" }; http_ports = { ${httpPort} }; https_ports = { }`,
      'network_backend = "epoll"',
      'authentication = "internal_hashed"; storage = "internal"',
      // The same SCRAM cost as ejabberd's (4096), so that signing in costs the clients alike.
      'default_iteration_count = 4096',
      'allow_registration = true',
      'c2s_require_encryption = false; s2s_require_encryption = false',
      'consider_websocket_secure = true',
      'modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "register"; "carbons"; "smacks"; "mam"; "websocket" }',
      'modules_disabled = { "s2s"; "tls" }',
      `VirtualHost "${DOMAIN}"`,
      '',
    ].join('\n'),
    owner,
  );

  const started = performance.now();
  // -F: stay in the foreground (the child is the server itself).
  const server = spawnServer('/usr/bin/prosody', ['--config', config, '-F'], dir, owner, 'prosody');
  try {
    await waitForPort(httpPort, server.exited, 'prosody');
    const wsUrl = `ws://127.0.0.1:${httpPort}/xmpp-websocket`;
    const startMs = performance.now() - started;
    const registering = performance.now();
    const users = await registerInBand(wsUrl, DOMAIN, options.users);
    const registerMs = performance.now() - registering;
    const pid = server.child.pid!;
    return {
      name: 'prosody',
      wsUrl,
      domain: DOMAIN,
      users,
      pid,
      version,
      startMs: Math.round(startMs),
      registerMs: Math.round(registerMs),
      dir,
      memory: () => readMemory(pid),
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${server.output()}\n${tail(join(dir, 'prosody.log'))}`);
  }
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}
