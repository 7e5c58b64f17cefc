/** Terminal output details: progress lines that redraw on a TTY and stay plain elsewhere, colours only on a TTY. */
import { styleText } from 'node:util';

type Colour = 'green' | 'red' | 'yellow' | 'dim' | 'bold';

/** Whether `stream` is an interactive terminal that accepts colour. */
export function isColourTerminal(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** `text` in `colour` when writing to a colour terminal; unchanged otherwise. */
export function paint(text: string, colour: Colour, stream: NodeJS.WriteStream = process.stdout): string {
  return isColourTerminal(stream) ? styleText(colour, text) : text;
}

/** Reports network progress on stderr: one redrawn line on a TTY, a plain line each otherwise. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { report(message: string): void; done(): void } {
  const live = stream.isTTY === true;
  let shown = false;
  return {
    report(message) {
      if (live) {
        stream.write(`\r\x1b[K${paint(message, 'dim', stream)}`);
        shown = true;
      } else stream.write(`${message}\n`);
    },
    done() {
      if (live && shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
