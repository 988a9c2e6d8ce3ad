// Figures for the layer table (issue 14): how far src/ is from "arrows point down only".
// `npx tsx scripts/layer-figures.ts` prints the file circles, the folder arrows that lie in
// a circle, and the violations of .dependency-cruiser.cjs per rule, so that the same
// figures can be taken before and after a move.
import { execFileSync } from 'node:child_process';

interface Dependency { resolved: string; dependencyTypes: string[] }
interface Module { source: string; dependencies: Dependency[] }
interface Violation { rule: { name: string; severity: string }; from: string; to: string }
interface CruiseResult {
  modules: Module[];
  summary: { violations: Violation[]; error: number; warn: number; totalCruised: number; totalDependenciesCruised: number };
}

const json = execFileSync(
  process.execPath,
  ['node_modules/dependency-cruiser/bin/dependency-cruise.mjs', 'src', 'migrations',
    '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
  { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
const result = JSON.parse(json) as CruiseResult;

/** Strongly connected components with more than one node (Tarjan). */
function circles(edges: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
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
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

const addEdge = (edges: Map<string, Set<string>>, from: string, to: string): void => {
  if (!edges.has(from)) edges.set(from, new Set());
  if (!edges.has(to)) edges.set(to, new Set());
  edges.get(from)!.add(to);
};

// A file at the top of src/ (app.ts, config.ts, …) is a node of its own in the folder graph.
const folderOf = (path: string): string => path.split('/').slice(0, 2).join('/');

const files = new Map<string, Set<string>>();
const runtimeFiles = new Map<string, Set<string>>();
const folders = new Map<string, Set<string>>();
for (const module of result.modules) {
  if (!module.source.startsWith('src/')) continue;
  for (const dependency of module.dependencies) {
    if (!dependency.resolved.startsWith('src/')) continue;
    addEdge(files, module.source, dependency.resolved);
    if (!dependency.dependencyTypes.includes('type-only')) addEdge(runtimeFiles, module.source, dependency.resolved);
    const from = folderOf(module.source);
    const to = folderOf(dependency.resolved);
    if (from !== to) addEdge(folders, from, to);
  }
}

const fileCircles = circles(files);
const runtimeCircles = circles(runtimeFiles);
const folderCircles = circles(folders);
const folderArrows = [...folders.values()].reduce((sum, targets) => sum + targets.size, 0);
const arrowsInCircles = folderCircles.flatMap((component) =>
  component.flatMap((from) => [...folders.get(from)!].filter((to) => component.includes(to)).map((to) => `${from} -> ${to}`)));

const perRule = new Map<string, number>();
for (const violation of result.summary.violations) {
  perRule.set(violation.rule.name, (perRule.get(violation.rule.name) ?? 0) + 1);
}

console.log(`modules ${result.summary.totalCruised}, dependencies ${result.summary.totalDependenciesCruised}`);
console.log(`file circles (strongly connected groups of files): ${fileCircles.length}, of which runtime (not type-only): ${runtimeCircles.length}`);
for (const component of fileCircles) console.log(`  ${component.join(' <-> ')}`);
console.log(`folder arrows: ${folderArrows}; folders in circles: ${folderCircles.reduce((sum, c) => sum + c.length, 0)}; folder arrows inside circles: ${arrowsInCircles.length}`);
for (const component of folderCircles) console.log(`  circle: ${component.join(', ')}`);
for (const arrow of arrowsInCircles.sort()) console.log(`    ${arrow}`);
console.log(`violations: ${result.summary.error} errors, ${result.summary.warn} warnings`);
for (const [rule, count] of [...perRule].sort((a, b) => b[1] - a[1])) console.log(`  ${rule}: ${count}`);
