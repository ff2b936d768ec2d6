import { describe, expect, it } from 'vitest';
import { slackManifest } from '../../../src/bots/slack/manifest.js';
import { runCli } from '../../../src/cli.js';
import type { CliIo } from '../../../src/commands/types.js';

function io(): CliIo & { stdout: string; stderr: string } {
  const state = {
    stdout: '',
    stderr: '',
    out(text: string) {
      state.stdout += text;
    },
    err(text: string) {
      state.stderr += text;
    },
    env: {},
    cwd: '/tmp',
    stdin: process.stdin,
    stdoutIsTTY: false,
  };
  return state;
}

describe('ff2 slack manifest', () => {
  it('prints a Socket Mode manifest with the command, scopes, events and interactivity', async () => {
    const cli = io();
    expect(await runCli(['slack', 'manifest'], cli)).toBe(0);
    const yaml = cli.stdout;
    expect(yaml).toContain('    - command: /ff2\n');
    for (const scope of [
      'commands',
      'chat:write',
      'app_mentions:read',
      'channels:history',
      'groups:history',
      'files:read',
      'files:write',
    ]) {
      expect(yaml).toContain(`      - ${scope}\n`);
    }
    for (const event of ['app_mention', 'message.channels', 'message.groups'])
      expect(yaml).toContain(`      - ${event}\n`);
    expect(yaml).toContain('  interactivity:\n    is_enabled: true\n');
    expect(yaml).toContain('socket_mode_enabled: true');
    expect(yaml).not.toContain('request_url');
  });

  it('points every request URL at /slack/events in HTTP mode', () => {
    const yaml = slackManifest({ publicUrl: 'https://ff2.example.com/', name: 'ff2 "dev"' });
    expect(yaml.match(/https:\/\/ff2\.example\.com\/slack\/events/g)).toHaveLength(3);
    expect(yaml).toContain('socket_mode_enabled: false');
    expect(yaml).toContain('name: "ff2 \\"dev\\""');
  });

  it('rejects unknown subcommands and bad URLs as usage errors', async () => {
    expect(await runCli(['slack', 'install'], io())).toBe(2);
    expect(await runCli(['slack', 'manifest', '--http', 'nope'], io())).toBe(2);
  });
});
