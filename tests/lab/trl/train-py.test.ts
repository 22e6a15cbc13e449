// Every train.py the export can write (one per TRL trainer) compiles with `python3 -m py_compile`,
// imports its trainer and config class by TRL's names, and builds the trainer with the arguments TRL's
// trainers take. Skipped, saying so, where python3 is absent.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configClassOf, type TrlTrainer } from '../../../src/main/lab/trl/mapping';
import { trainPy } from '../../../src/main/lab/trl/train-py';
import { tempDir } from '../../helpers/tmp';

const PYTHON = spawnSync('python3', ['--version']).status === 0;
if (!PYTHON) console.warn('python3 is absent: train.py is checked as text only, not compiled');
const TRAINERS: TrlTrainer[] = [
  'SFTTrainer',
  'RewardTrainer',
  'DPOTrainer',
  'KTOTrainer',
  'ORPOTrainer',
  'CPOTrainer',
  'PPOTrainer',
];
const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('train.py', () => {
  for (const trainer of TRAINERS) {
    it(`for ${trainer}`, () => {
      const text = trainPy({ trainer, configClass: configClassOf(trainer), title: `test ${trainer}` });
      expect(text).toContain(`TrainerClass = trl_class("${trainer}")`);
      expect(text).toContain(`ConfigClass = trl_class("${configClassOf(trainer)}")`);
      expect(text).toContain('TrlParser((ProjectArguments, ConfigClass, ModelConfig))');
      expect(text).toContain('trainer.save_state()');
      if (trainer === 'PPOTrainer')
        expect(text).toMatch(/reward_model=reward_model,\s+value_model=value_model/);
      else expect(text).toContain('processing_class=tokenizer');
      if (trainer === 'DPOTrainer' || trainer === 'KTOTrainer') expect(text).toContain('ref_model=None');
      if (!PYTHON) return;
      const file = join(dir, `train_${trainer}.py`);
      writeFileSync(file, text);
      const r = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    });
  }
});
