import { csvStream, neutraliseFormula } from './csv';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

describe('csvStream', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 says, and leaves nulls empty', async () => {
    const csv = await text(csvStream(['name', 'note', 'count'], [['Owen Price', 'said "hello", then left\nearly', 3], ['Grace', null, 0]]));

    expect(csv).toBe('name,note,count\nOwen Price,"said ""hello"", then left\nearly",3\nGrace,,0\n');
  });

  it('neutralises cells a spreadsheet would run as a formula, but not negative numbers', async () => {
    const csv = await text(csvStream(['a', 'b', 'c', 'd', 'e', 'f'], [['=SUM(A1:A9)', '+44 7700', '-1+1', '@cmd', '\tx', -5]]));

    expect(csv.split('\n')[1]).toBe(`'=SUM(A1:A9),'+44 7700,'-1+1,'@cmd,'\tx,-5`);
  });

  it('pulls rows only as the reader consumes them, so a huge export is never held in memory', async () => {
    let produced = 0;
    async function* rows(): AsyncGenerator<unknown[]> {
      for (let i = 0; i < 1_000_000; i++) {
        produced++;
        yield [i, 'a row of an export'];
      }
    }
    const stream = csvStream(['n', 'text'], rows());
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const afterFirstRead = produced;
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Backpressure: a few buffers' worth were produced, then production stopped, far short of the million.
    expect(produced).toBe(afterFirstRead);
    expect(produced).toBeLessThan(20_000);
    stream.destroy();
  });
});

describe('neutraliseFormula', () => {
  it('leaves ordinary text alone', () => {
    expect(neutraliseFormula('Lancashire and South Cumbria')).toBe('Lancashire and South Cumbria');
  });
});
