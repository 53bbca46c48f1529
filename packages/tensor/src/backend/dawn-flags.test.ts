import { expect, it } from 'vitest';
import { dawnFlags } from './webgpu.js';

it('dawnFlags turns the enable / disable toggle lists into Dawn instance flags', () => {
  expect(dawnFlags({})).toEqual([]);
  expect(
    dawnFlags({
      enable: ['disable_robustness', ' skip_validation'],
      disable: ['lazy_clear_resource_on_first_use'],
    }),
  ).toEqual([
    'enable-dawn-features=disable_robustness,skip_validation',
    'disable-dawn-features=lazy_clear_resource_on_first_use',
  ]);
  // anything that is not a toggle name is dropped, so a value cannot smuggle in another flag
  expect(dawnFlags({ enable: ['a=b', 'backend=null', '', 'ok_name'] })).toEqual(['enable-dawn-features=ok_name']);
});

it('dawnFlags merges the tensor-core toggles into the user-given ones (each once)', () => {
  expect(dawnFlags({}, ['allow_unsafe_apis', 'vulkan_enable_f16_on_nvidia'])).toEqual([
    'enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia',
  ]);
  expect(dawnFlags({ enable: ['disable_robustness', 'allow_unsafe_apis'] }, ['allow_unsafe_apis'])).toEqual([
    'enable-dawn-features=disable_robustness,allow_unsafe_apis',
  ]);
});
