// The `train.py` of an exported TRL project: TRL's own script shape (TrlParser over a project
// dataclass, the trainer's config class and ModelConfig; `--config config.yaml`; any argument
// overridable on the command line), with the trainer this run maps to. Trainers that recent TRL
// releases moved to `trl.experimental` are found in either place.
import type { TrlTrainer } from './mapping';

const EXPERIMENTAL: Partial<Record<TrlTrainer, string>> = {
  PPOTrainer: 'ppo',
  CPOTrainer: 'cpo',
  ORPOTrainer: 'orpo',
  KTOTrainer: 'kto',
};

/** How each trainer is built from the loaded pieces (Python, indented 4). */
const BODIES: Record<TrlTrainer, string> = {
  SFTTrainer: `    model = load_model(model_args.model_name_or_path, AutoModelForCausalLM)
    trainer = TrainerClass(
        model=model,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        processing_class=tokenizer,
    )`,
  RewardTrainer: `    model = load_model(model_args.model_name_or_path, AutoModelForSequenceClassification, num_labels=1)
    model.config.pad_token_id = tokenizer.pad_token_id
    trainer = TrainerClass(
        model=model,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        processing_class=tokenizer,
    )`,
  DPOTrainer: `    model = load_model(model_args.model_name_or_path, AutoModelForCausalLM)
    # ref_model=None: TRL freezes a copy of the starting policy as the reference, as the lab does.
    trainer = TrainerClass(
        model=model,
        ref_model=None,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        processing_class=tokenizer,
    )`,
  KTOTrainer: '',
  ORPOTrainer: `    model = load_model(model_args.model_name_or_path, AutoModelForCausalLM)
    trainer = TrainerClass(  # reference-free
        model=model,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        processing_class=tokenizer,
    )`,
  CPOTrainer: '',
  PPOTrainer: `    tokenizer.padding_side = "left"
    sft_path = args.sft_model_path or model_args.model_name_or_path
    if not args.reward_model_path:
        raise SystemExit(
            "PPO needs a reward model: pass --reward_model_path DIR (a sequence classifier with num_labels=1, "
            "e.g. the reward model exported from the lab with export-trl, or one trained with RewardTrainer)"
        )
    policy = load_model(sft_path, AutoModelForCausalLM)
    ref_policy = load_model(sft_path, AutoModelForCausalLM)
    reward_model = load_model(args.reward_model_path, AutoModelForSequenceClassification, num_labels=1)
    value_model = load_model(args.reward_model_path, AutoModelForSequenceClassification, num_labels=1)
    for m in (reward_model, value_model):
        m.config.pad_token_id = tokenizer.pad_token_id

    def tokenize(row):
        prompt = row["prompt"]
        if isinstance(prompt, list):  # conversational: through the chat template, ending where the reply starts
            ids = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True)
        else:
            ids = tokenizer(prompt, padding=False)["input_ids"]
        return {"input_ids": ids}

    with PartialState().local_main_process_first():
        train_dataset = train_dataset.map(tokenize, remove_columns=train_dataset.column_names)
        eval_dataset = eval_dataset.map(tokenize, remove_columns=eval_dataset.column_names)
    trainer = TrainerClass(
        args=args,
        processing_class=tokenizer,
        model=policy,
        ref_model=ref_policy,
        reward_model=reward_model,
        value_model=value_model,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
    )`,
};
BODIES.KTOTrainer = BODIES.DPOTrainer;
BODIES.CPOTrainer = BODIES.ORPOTrainer.replace('ORPO', 'CPO');

export interface TrainPyOptions {
  trainer: TrlTrainer;
  configClass: string;
  /** e.g. `DPO (sigmoid) run 12 "DPO on pairs"`. */
  title: string;
}

export function trainPy(o: TrainPyOptions): string {
  const sub = EXPERIMENTAL[o.trainer];
  const modules = sub ? `("trl", "trl.experimental.${sub}")` : '("trl",)';
  const ppo = o.trainer === 'PPOTrainer';
  return `#!/usr/bin/env python3
"""${o.title}, exported by Alignment Lab for TRL's ${o.trainer}.

Trains on data/train.jsonl (TRL's dataset format) from ./model (the lab's model as a Hugging Face
GPT-2), with the run's hyperparameters in config.yaml (config.json says which lab field became which
argument, and lists those without a counterpart).

    python train.py --config config.yaml
    accelerate launch --config_file accelerate/multi_gpu.yaml train.py --config config.yaml

Every argument can be overridden on the command line, e.g. --model_name_or_path gpt2 --learning_rate 5e-5.
When it ends, output_dir holds the model and trainer_state.json, which the lab imports
(npm run lab -- import-run OUTPUT_DIR/trainer_state.json) to compare its curves with the lab's.
"""

import importlib
import os
from dataclasses import dataclass, field

from accelerate import PartialState
from datasets import load_dataset
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer
from trl import ModelConfig, TrlParser


def trl_class(name, modules=${modules}):
    """Recent TRL releases keep some trainers under trl.experimental; find NAME wherever it is."""
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    raise ImportError(f"{name} is in none of {modules}: install a TRL release that has it (pip install -U trl)")


TrainerClass = trl_class("${o.trainer}")
ConfigClass = trl_class("${o.configClass}")


@dataclass
class ProjectArguments:
    train_file: str = field(default="data/train.jsonl", metadata={"help": "The training data, TRL JSON Lines."})
    eval_fraction: float = field(
        default=0.0, metadata={"help": "Share of the data (its end, after a seeded shuffle) held out for evaluation."}
    )


def load_model(path, cls, **kwargs):
    """From the folder's weights; from its config.json alone (fresh weights, as the lab's run began) when it has none."""
    weights = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")
    if os.path.isdir(path) and not any(os.path.exists(os.path.join(path, w)) for w in weights):
        config = AutoConfig.from_pretrained(path, **kwargs)
        return cls.from_config(config)
    return cls.from_pretrained(path, **kwargs)


def split(dataset, fraction, seed, minimum=0):
    """(train, eval): the eval part is the last \`fraction\` of a seeded shuffle (at least \`minimum\` rows)."""
    n_eval = max(int(len(dataset) * fraction), minimum) if len(dataset) > 1 else 0
    if n_eval == 0:
        return dataset, None
    dataset = dataset.shuffle(seed=seed)
    return dataset.select(range(len(dataset) - n_eval)), dataset.select(range(len(dataset) - n_eval, len(dataset)))


def main():
    parser = TrlParser((ProjectArguments, ConfigClass, ModelConfig))
    project, args, model_args = parser.parse_args_and_config()

    tokenizer = AutoTokenizer.from_pretrained(model_args.model_name_or_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token

    dataset = load_dataset("json", data_files=project.train_file, split="train")
    # ${ppo ? 'PPO samples completions from an evaluation split: keep at least one prompt for it.' : 'No evaluation split unless eval_fraction > 0.'}
    train_dataset, eval_dataset = split(dataset, project.eval_fraction, args.seed, minimum=${ppo ? '1' : '0'})

${BODIES[o.trainer]}
    trainer.train()
    trainer.save_model(args.output_dir)
    if trainer.is_world_process_zero():
        trainer.save_state()  # output_dir/trainer_state.json: its log_history is what the lab imports
        tokenizer.save_pretrained(args.output_dir)


if __name__ == "__main__":
    main()
`;
}
