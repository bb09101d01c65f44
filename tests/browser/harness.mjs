// harness.mjs — what every browser test needs: a real chatd on a free port with its own data
// directory, and Debian's Chromium (headless, no sandbox, background networking off) driven
// by playwright-core. Both are stopped by the test's cleanup.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const chatdPath = process.env.CHATD || path.join(repoRoot, 'build', 'bin', 'chatd');

export function tempDir() { return mkdtempSync(path.join(tmpdir(), 'chat-browser-')); }

// `chatd user add` in DIR/data (the directory startChatd uses), password on stdin.
export function addUser(dir, name, role, password, { langs = 'fr,en', capacity = 3 } = {}) {
  execFileSync(chatdPath, ['user', 'add', name, '--role', role, '--langs', langs, '--capacity', String(capacity),
    '--data', path.join(dir, 'data')], { input: password + '\n', stdio: ['pipe', 'ignore', 'pipe'] });
}

// Starts chatd on 127.0.0.1:0 (or `listen`) and resolves once it prints its port.
export async function startChatd(extraArgs = [], dataDir = null, listen = '127.0.0.1:0') {
  const dir = dataDir || mkdtempSync(path.join(tmpdir(), 'chat-browser-'));
  const args = ['--listen', listen, '--data', path.join(dir, 'data'), '--threads', '2',
    '--web-root', path.join(repoRoot, 'web-widget'), '--faq', path.join(repoRoot, 'faq'), ...extraArgs];
  const child = spawn(chatdPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('chatd did not start: ' + output)), 20000);
    const onData = (chunk) => {
      output += chunk;
      const m = /listening on https?:\/\/[^ ]*:(\d+)/.exec(output);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`chatd exited ${code}: ${output}`)); });
  });
  return {
    port, dir, child,
    url: (p = '/') => `http://127.0.0.1:${port}${p}`,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      const code = await new Promise((resolve) => { child.removeAllListeners('exit'); child.on('exit', (c) => resolve(c)); child.kill(signal); });
      return code;
    },
    cleanup() { if (!dataDir) rmSync(dir, { recursive: true, force: true }); },
  };
}

export function chromiumPath() {
  for (const p of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'])
    if (p && existsSync(p)) return p;
  throw new Error('Chromium not found: install Debian\'s chromium package (scripts/setup.sh does)');
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
