// Development entry for the benchmark without a build: node --import tsx src/main/engine/bench/cli-dev.ts [flags]
// (the app's own entry is `lab bench`, wired in src/main/hosts/cli/main.ts).
import { benchCli } from './cli';

process.exitCode = await benchCli(process.argv.slice(2));
