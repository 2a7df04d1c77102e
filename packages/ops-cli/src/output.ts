/** Human-readable output by default; --json prints one JSON document per command for scripts. */
export interface Output {
  table(rows: Record<string, unknown>[], title: string): void;
  object(value: unknown): void;
  line(text: string): void;
}

export function createOutput(json: boolean, write: (text: string) => void = (t) => process.stdout.write(t)): Output {
  if (json) {
    return {
      table: (rows) => write(`${JSON.stringify(rows, null, 2)}\n`),
      object: (value) => write(`${JSON.stringify(value, null, 2)}\n`),
      line: (text) => write(`${JSON.stringify({ message: text })}\n`),
    };
  }
  return {
    table: (rows, title) => {
      write(`${title}\n`);
      if (rows.length === 0) return;
      const columns = Object.keys(rows[0] ?? {});
      const widths = columns.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length))));
      const format = (values: string[]) => values.map((v, i) => v.slice(0, 60).padEnd(widths[i] ?? 0)).join("  ");
      write(`${format(columns)}\n`);
      for (const row of rows) write(`${format(columns.map((c) => String(row[c] ?? "")))}\n`);
    },
    object: (value) => write(`${JSON.stringify(value, null, 2)}\n`),
    line: (text) => write(`${text}\n`),
  };
}
