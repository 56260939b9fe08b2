// The chip model and the CPU2 model do not import each other (issue: "a house that is easy to
// change"): CPU2 sees the chip through its own narrow interface (host-sim/cpu2/host.ts). This walks
// the relative imports of host-sim/ (type-only imports included) and looks for cycles.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "../../host-sim");

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return name === "native" ? [] : sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** file (relative to host-sim/) → the host-sim files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/gms)]
      .map((match) => resolve(dirname(file), match[1].replace(/\.js$/, ".ts")))
      .filter((target) => target.startsWith(root + "/"))
      .map((target) => relative(root, target));
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowlinks.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

describe("host-sim import graph", () => {
  const graph = importGraph();

  it("finds the files and their imports", () => {
    expect(graph.get("chip/stm32wb.ts")).toContain("cpu2/cpu2.ts");
    expect(graph.size).toBeGreaterThan(40);
  });

  it("has no import cycle between the CPU2 model and the rest, nor through the chip's wiring or faults.ts", () => {
    // Cycles inside cpu2/ (a firmware model and the Cpu2 that runs it) stay inside one folder.
    const offending = cycles(graph).filter((component) => {
      const cpu2Files = component.filter((file) => file.startsWith("cpu2/")).length;
      const crossesCpu2 = cpu2Files > 0 && cpu2Files < component.length;
      return crossesCpu2 || component.includes("chip/stm32wb.ts") || component.includes("faults.ts");
    });
    expect(offending).toEqual([]);
  });

  it("lets the CPU2 model see the chip only through cpu2/host.ts and the device facts", () => {
    const allowed = new Set(["chip/variants.ts", "chip/flash-timing.ts"]);
    const reaches = [...graph].filter(([file]) => file.startsWith("cpu2/"))
      .flatMap(([file, targets]) => targets.filter((t) => t.startsWith("chip/") && !allowed.has(t)).map((t) => `${file} → ${t}`));
    expect(reaches).toEqual([]);
  });
});
