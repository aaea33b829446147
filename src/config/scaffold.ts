import { isMap, isPair, isScalar, type Node, type Pair, parse, parseDocument } from 'yaml';

/** What `tekamolo init` asks for: the fields a config must have. */
export interface InitAnswers {
  stack: string;
  region: string;
  domain: string;
}

/**
 * Fields whose example values belong to the example's own domain and account (a zone id, a bucket
 * name, a script beside the example, an address of the documentation range): a new config gets them
 * commented out, with their comments, so the user sees each one and what it does.
 */
const EXAMPLE_ONLY = [
  ['dns', 'hostedZoneId'],
  ['frontend', 'bucket'],
  ['backend', 'userData'],
  ['backend', 'sshCidrs'],
  ['tags'],
] as const;

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * A new config from the text of config.example.yaml, so that every field is documented in one place:
 * the answers put in place of the example's values, the example-only fields commented out, every
 * comment kept as written. The edits are made on the example's text at the places its YAML parse
 * gives, because printing the parsed document again moves comments and reformats flow collections.
 * `schema` is the path of the JSON Schema that editors read, relative to the new file.
 */
export function scaffoldConfig(example: string, answers: InitAnswers, schema: string): string {
  const doc = parseDocument(example);
  const edits: Edit[] = [
    replaceValue(doc.contents, ['stack'], scalar(answers.stack)),
    replaceValue(doc.contents, ['region'], scalar(answers.region)),
    replaceValue(doc.contents, ['domain'], scalar(answers.domain)),
    replaceValue(doc.contents, ['aliases'], `[${scalar(`www.${answers.domain}`)}]`),
    ...EXAMPLE_ONLY.map((path) => commentOut(example, pairAt(doc.contents, path))),
  ];
  let text = example;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  return text.replace(/^(# yaml-language-server: \$schema=)\S+/m, (_, prefix: string) => prefix + schema);
}

/** The domain's first label as a stack name: lower case, a-z 0-9 and "-", at most 20 characters. */
export function stackNameFor(domain: string | undefined): string | undefined {
  const label = domain
    ?.split('.')[0]
    ?.toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-');
  const name = label?.slice(0, 20).replace(/^-+|-+$/g, '');
  return name || undefined;
}

/**
 * A plain scalar where YAML reads it back as the same text (not `123`, `true`, `null`), else a
 * double-quoted one (JSON's string syntax is YAML's).
 */
function scalar(value: string): string {
  return /^[\w./-]+$/.test(value) && parse(value) === value ? value : JSON.stringify(value);
}

function pairAt(root: unknown, path: readonly string[]): Pair<Node, Node> {
  let node = root;
  let found: Pair<Node, Node> | undefined;
  for (const key of path) {
    found = isMap(node)
      ? node.items.find(
          (item): item is Pair<Node, Node> => isPair(item) && isScalar(item.key) && item.key.value === key,
        )
      : undefined;
    node = found?.value;
  }
  if (!found) throw new Error(`config.example.yaml has no ${path.join('.')}`);
  return found;
}

/** Where a node starts and where its value ends in the example's text. */
function rangeOf(node: Node | null): [number, number] {
  const range = node?.range;
  if (!range) throw new Error('config.example.yaml: a field without a value');
  return [range[0], range[1]];
}

function replaceValue(root: unknown, path: readonly string[], text: string): Edit {
  const [start, end] = rangeOf(pairAt(root, path).value);
  return { start, end, text };
}

/** Every line the pair is written on, as a comment at the same indentation. */
function commentOut(source: string, pair: Pair<Node, Node>): Edit {
  const [keyStart] = rangeOf(pair.key);
  const [, valueEnd] = rangeOf(pair.value);
  const start = source.lastIndexOf('\n', keyStart) + 1;
  const lineEnd = source.indexOf('\n', valueEnd);
  const end = lineEnd === -1 ? source.length : lineEnd;
  const text = source
    .slice(start, end)
    .split('\n')
    .map((line) => line.replace(/^(\s*)/, '$1# '))
    .join('\n');
  return { start, end, text };
}
