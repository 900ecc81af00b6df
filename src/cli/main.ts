import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { EXIT, reportError } from './output.js';

/**
 * The CLI composition root. Each command lives in commands/<name>.ts and registers itself; the action returns an
 * exit code (0 ok, 1 runtime failure, 2 usage error) and never calls process.exit, so tests can drive main().
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('elmscale')
    .description('Scalable AI on Extreme Learning Machines: train, evaluate, serve and benchmark ELMs on CPUs.')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  let code: number = EXIT.OK;
  registerCommands(program, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return EXIT.OK;
      return EXIT.USAGE;
    }
    return reportError(e, argv.includes('--json'));
  }
  return code;
}
