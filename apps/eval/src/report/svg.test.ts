import { describe, expect, it } from 'vitest';
import { barChartSvg, esc, htmlPage } from './svg.js';

describe('barChartSvg', () => {
  it('draws one bar per series with CI whiskers, marks missing values, escapes labels', () => {
    const svg = barChartSvg({
      title: 'ASR <by> method',
      series: ['A', 'B'],
      groups: [
        { label: 'GCG & co', bars: [{ value: 0.5, ci: { lower: 0.4, upper: 0.6 } }, { value: 0.25 }] },
        { label: 'none', bars: [{ value: null }, { value: 1, ci: { lower: 0.9, upper: 1 } }] },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<title>ASR &lt;by&gt; method</title>');
    expect(svg).toContain('GCG &amp; co');
    expect(svg.match(/<rect [^>]*fill-opacity/g)).toHaveLength(3);
    expect(svg.match(/class="ci"/g)).toHaveLength(2);
    expect(svg).toContain('>n/a</text>');
    expect(svg).toContain('GCG &amp; co (A): .500 [.400, .600]');
  });

  it('centres a signed domain on zero (delta charts)', () => {
    const svg = barChartSvg({
      title: 'Δ',
      series: [],
      groups: [{ label: 'x', bars: [{ value: -0.2 }] }],
      domain: [-0.5, 0.5],
    });
    // plot spans x = 230..700: zero at 465, -0.2 at 371
    expect(svg).toContain('<rect x="371.0"');
    expect(svg).toContain('width="94.0"');
  });

  it('pages are self-contained HTML', () => {
    const page = htmlPage('a "run"', '<p>x</p>');
    expect(page).toContain('<title>a &quot;run&quot;</title>');
    expect(page).not.toMatch(/<script|<link|src=/);
    expect(esc('<&>"')).toBe('&lt;&amp;&gt;&quot;');
  });
});
