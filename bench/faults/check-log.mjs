// check-log.mjs — after a fault run: is every acknowledged message in the log, exactly once?
//   node bench/faults/check-log.mjs DATA_DIR ACKED_FILE
// ACKED_FILE holds one message id a line (chat-bench --acked). Exit 0 when all are there once,
// 1 otherwise, printing what is missing or doubled.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const [dir, ackedFile] = process.argv.slice(2);
const counts = new Map();
for (const name of fs.readdirSync(dir).filter((n) => n.startsWith('events-') && n.endsWith('.jsonl'))) {
  const rl = readline.createInterface({ input: fs.createReadStream(path.join(dir, name)) });
  for await (const line of rl) {
    if (!line.includes('"author":"visitor"')) continue;
    const e = JSON.parse(line);
    if (e.type === 'message' && e.author === 'visitor') counts.set(e.msg, (counts.get(e.msg) || 0) + 1);
  }
}
const acked = new Set(fs.readFileSync(ackedFile, 'utf8').split('\n').filter(Boolean));
let missing = 0, doubled = 0;
for (const id of acked) {
  const n = counts.get(id) || 0;
  if (n === 0 && missing++ < 10) console.log(`missing from the log: ${id}`);
  if (n > 1 && doubled++ < 10) console.log(`in the log ${n} times: ${id}`);
}
console.log(`acked ${acked.size}, in the log ${acked.size - missing}, missing ${missing}, doubled ${doubled}; visitor messages logged ${counts.size}`);
process.exit(missing || doubled ? 1 : 0);
