/**
 * The REPL front ends: an interactive line editor (history, tab completion)
 * when stdin is a terminal, and a script runner for a file of commands or
 * for commands piped to stdin.
 *
 * ```
 * deno task repl                  interactive
 * deno task repl script.zk        run a script; the first failing line exits 1:
 *                                 script.zk:7: error: ...
 * echo "load guests/bin/c/hello
 * continue" | deno task repl      commands from stdin, as a script
 * ```
 * @module
 */

import * as readline from "node:readline";
import process from "node:process";
import { errorMessage, Repl } from "./repl.ts";

const USAGE = `usage: deno task repl [--echo] [SCRIPT]

Without SCRIPT and with a terminal: interactive (type 'help'). With SCRIPT, or with
commands piped to stdin: runs them in order and exits; the first failing command
ends the run with 'FILE:LINE: error: MESSAGE' and status 1.
  --echo   print each script command before its output
`;

/** Runs the REPL with command-line `args`; returns the exit status. */
export async function main(args: readonly string[], root?: string): Promise<number> {
  let echo = false;
  let script: string | undefined;
  for (const a of args) {
    if (a === "--echo") echo = true;
    else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith("-") && a !== "-") {
      console.error(`zkabi repl: unknown option '${a}'`);
      return 2;
    } else if (script === undefined) script = a;
    else {
      console.error("zkabi repl: one script at a time");
      return 2;
    }
  }
  const repl = new Repl({ root });
  if (script !== undefined && script !== "-") {
    let text: string;
    try {
      text = Deno.readTextFileSync(script);
    } catch (e) {
      console.error(`zkabi repl: ${script}: ${errorMessage(e)}`);
      return 2;
    }
    return await runScript(repl, text, script, echo);
  }
  if (script === "-" || !Deno.stdin.isTerminal()) {
    const text = await new Response(Deno.stdin.readable).text();
    return await runScript(repl, text, "<stdin>", echo);
  }
  return await interactive(repl);
}

/**
 * Runs `text` line by line. Returns 0, or 1 after printing
 * `name:LINE: error: MESSAGE` for the first failing line.
 */
export async function runScript(
  repl: Repl,
  text: string,
  name: string,
  echo = false,
): Promise<number> {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (echo && line.trim() !== "" && !line.trim().startsWith("#")) {
      repl.print(`(zkabi) ${line.trim()}`);
    }
    try {
      await repl.execute(line);
    } catch (e) {
      console.error(`${name}:${i + 1}: error: ${errorMessage(e)}`);
      return 1;
    }
    if (repl.quitRequested) break;
  }
  return 0;
}

function historyPath(): string | undefined {
  const explicit = Deno.env.get("ZKABI_REPL_HISTORY");
  if (explicit !== undefined) return explicit === "" ? undefined : explicit;
  const home = Deno.env.get("HOME");
  return home ? `${home}/.zkabi_history` : undefined;
}

function loadHistory(path: string | undefined): string[] {
  if (!path) return [];
  try {
    return Deno.readTextFileSync(path).split("\n").filter((l) => l !== "").slice(-1000).reverse();
  } catch {
    return [];
  }
}

/** The interactive loop: a prompt with history and tab completion; errors never end it. */
async function interactive(repl: Repl): Promise<number> {
  const histFile = historyPath();
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history: loadHistory(histFile),
    historySize: 1000,
    removeHistoryDuplicates: true,
    completer: (line: string) => repl.complete(line),
  });
  rl.setPrompt("(zkabi) ");
  repl.print("zkabi REPL: type 'help' for commands, Ctrl-D to leave.");
  rl.prompt();
  let queue = Promise.resolve();
  const done = new Promise<void>((resolve) => rl.on("close", () => resolve()));
  rl.on("SIGINT", () => {
    rl.write("^C\n");
    rl.prompt();
  });
  rl.on("line", (line: string) => {
    queue = queue.then(async () => {
      if (histFile && line.trim() !== "") {
        try {
          Deno.writeTextFileSync(histFile, line.trim() + "\n", { append: true });
        } catch {
          // history is a convenience
        }
      }
      try {
        await repl.execute(line);
      } catch (e) {
        repl.print(`error: ${errorMessage(e)}`);
      }
      if (repl.quitRequested) rl.close();
      else rl.prompt();
    });
  });
  await done;
  await queue;
  return 0;
}
