/**
 * `npm run headwiki -- <command> [options]`: the command-line face of headwiki.
 * Each command lives in scripts/cli/<command>.ts; this file only dispatches.
 */
const commands: Record<string, { summary: string; load: () => Promise<(argv: string[]) => Promise<void>> }> = {
  forward: {
    summary: 'next-token predictions for a prompt as JSON: --model <name|path> --prompt "..."',
    load: async () => (await import('./cli/forward')).forwardCommand,
  },
  run: {
    summary: 'plan a run as queue jobs and follow it until published: --model <name|path> [--corpus <file>] [--shards N] [--workers N]',
    load: async () => (await import('./cli/run')).runCommand,
  },
  download: {
    summary: 'fetch a model from the Hugging Face hub into the cache: <name | hf:owner/name> [--revision main]',
    load: async () => (await import('./cli/download')).downloadCommand,
  },
  detect: {
    summary:
      'score every head against a custom detection pattern: --model <name|path> --pattern <previous|duplicate|induction|bos|self|offset:k|JSON matrix> [--text "..."]',
    load: async () => (await import('./cli/detect')).detectCommand,
  },
  diff: {
    summary:
      'what changed between two models (their published runs; computed by the workers): --a <model> --b <model> [--corpus <file>] [--shards N]',
    load: async () => (await import('./cli/diff')).diffCommand,
  },
  series: {
    summary:
      'a checkpoint series (one run per checkpoint, a diff between neighbours): --name <name> --checkpoints <a.bin,b.bin,...|folder> [--steps 100,200,...]',
    load: async () => (await import('./cli/series')).seriesCommand,
  },
  publish: {
    summary: "compute and publish a model's head wiki: --model <name|path> [--corpus <file>] [--max-texts N] [--seed N]",
    load: async () => (await import('./cli/publish')).publishCommand,
  },
};

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    if (name && name !== 'help' && name !== '--help') console.error(`headwiki: unknown command "${name}"\n`);
    console.error('usage: npm run headwiki -- <command> [options]\n\ncommands:');
    for (const [n, c] of Object.entries(commands)) console.error(`  ${n.padEnd(10)} ${c.summary}`);
    process.exit(name && name !== 'help' && name !== '--help' ? 2 : 0);
  }
  try {
    await (
      await command.load()
    )(rest);
  } catch (err) {
    console.error(`headwiki ${name}: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}

void main();
