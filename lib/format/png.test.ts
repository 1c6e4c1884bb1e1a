import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodeRgbPng, parseColor } from './png';

/** Reads back what encodeRgbPng wrote, chunk by chunk, checking every CRC (an independent little PNG reader). */
function readPng(png: Buffer) {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Record<string, Buffer> = {};
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len), `${type} CRC`).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    chunks[type] = data;
    at += 12 + len;
  }
  return chunks;
}

describe('encodeRgbPng', () => {
  it('writes a valid PNG whose scanlines hold the pixels given', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]); // 3 × 2
    const chunks = readPng(encodeRgbPng(3, 2, rgb));
    expect(chunks.IHDR.readUInt32BE(0)).toBe(3);
    expect(chunks.IHDR.readUInt32BE(4)).toBe(2);
    expect([...chunks.IHDR.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
    const raw = inflateSync(chunks.IDAT);
    expect(raw[0]).toBe(0);
    expect([...raw.subarray(1, 10)]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    expect(raw[10]).toBe(0);
    expect([...raw.subarray(11, 20)]).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(chunks.IEND.length).toBe(0);
  });

  it('has the standard CRC-32 (IEND chunk constant) and refuses a wrong buffer size', () => {
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
    expect(() => encodeRgbPng(2, 2, new Uint8Array(11))).toThrow(RangeError);
  });

  it('reads the colours d3 writes', () => {
    expect(parseColor('rgb(8, 48, 107)')).toEqual([8, 48, 107]);
    expect(parseColor('#f1f2f4')).toEqual([241, 242, 244]);
    expect(() => parseColor('blue')).toThrow();
  });
});
