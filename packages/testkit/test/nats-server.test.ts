import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { type NatsServerHandle, startNatsServer } from "../src/nats-server.js";

/** The server process's environment, as the kernel holds it (Linux). */
async function environmentOf(pid: number | undefined): Promise<string[]> {
  if (pid === undefined) throw new Error("nats-server is not running");
  return (await readFile(`/proc/${pid}/environ`, "utf8")).split("\0");
}

describe("startNatsServer", () => {
  let nats: NatsServerHandle | undefined;
  afterEach(async () => {
    await nats?.stop();
    nats = undefined;
  });

  it("runs the server with the environment it is given, also after a restart", async () => {
    nats = await startNatsServer({ env: { GOMAXPROCS: "1" } });
    expect(await environmentOf(nats.pid)).toContain("GOMAXPROCS=1");
    const firstPid = nats.pid;
    await nats.restart();
    expect(nats.pid).not.toBe(firstPid);
    expect(await environmentOf(nats.pid)).toContain("GOMAXPROCS=1");
  });

  it("adds nothing to the environment when given none", async () => {
    nats = await startNatsServer();
    const environment = await environmentOf(nats.pid);
    expect(environment.filter((entry) => entry.startsWith("GOMAXPROCS="))).toEqual(
      process.env.GOMAXPROCS === undefined ? [] : [`GOMAXPROCS=${process.env.GOMAXPROCS}`],
    );
  });
});
