import { describe, expect, it } from 'vitest'
import { chunk } from '../../shared/chunk.js'

describe('Function: chunk', () => {
  it('splits in order into runs of at most size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
    expect(chunk([], 25)).toEqual([])
  })

  it('cuts a run earlier where its bytes would pass the limit, and gives an oversized item a run of its own', () => {
    const words = ['aaaa', 'bb', 'cccc', 'dddddddddd', 'e']
    expect(chunk(words, 10, { maxBytes: 6, bytesOf: (w) => w.length })).toEqual([
      ['aaaa', 'bb'],
      ['cccc'],
      ['dddddddddd'],
      ['e'],
    ])
  })
})
