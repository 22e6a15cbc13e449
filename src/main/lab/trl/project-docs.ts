// The parts of an exported TRL project that say how to run it: accelerate configs after TRL's
// examples/accelerate_configs (DDP, DeepSpeed ZeRO-2 and ZeRO-3), a Slurm batch script, requirements,
// and the README with the mapping as a table.
import { planMarkdown, planPipeline } from '../plan';
import type { OutFile } from './hf-model';
import type { TrlMapping } from './mapping';
import type { TrlProjectInput } from './project';

/** Accelerate configs after TRL's examples/accelerate_configs, and a Slurm batch script. */
export function launchFiles(): OutFile[] {
  const common = `compute_environment: LOCAL_MACHINE
debug: false
downcast_bf16: 'no'
machine_rank: 0
main_training_function: main
mixed_precision: 'no'
num_machines: 1
num_processes: 8
rdzv_backend: static
same_network: true
tpu_env: []
tpu_use_cluster: false
tpu_use_sudo: false
use_cpu: false
`;
  const deepspeed = (stage: number) => `${common}distributed_type: DEEPSPEED
deepspeed_config:
  deepspeed_multinode_launcher: standard
  offload_optimizer_device: none
  offload_param_device: none
  zero3_init_flag: ${stage === 3}
${stage === 3 ? '  zero3_save_16bit_model: true\n' : ''}  zero_stage: ${stage}
`;
  const slurm = `#!/bin/bash
# Slurm: one node with 8 GPUs (edit the #SBATCH lines for your cluster). Submit with: sbatch slurm.sbatch
#SBATCH --job-name=lab-trl
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=1
#SBATCH --gres=gpu:8
#SBATCH --cpus-per-task=32
#SBATCH --time=04:00:00
#SBATCH --output=%x-%j.out
set -euo pipefail
cd "\${SLURM_SUBMIT_DIR}"
NUM_GPUS=\${NUM_GPUS:-8}
MASTER_ADDR=$(scontrol show hostnames "\${SLURM_JOB_NODELIST}" | head -n 1)
MASTER_PORT=\${MASTER_PORT:-29500}
# One accelerate launcher per node; for several nodes raise --nodes and --num_machines together.
srun accelerate launch \\
  --config_file accelerate/deepspeed_zero2.yaml \\
  --num_machines "\${SLURM_NNODES}" \\
  --num_processes $((NUM_GPUS * SLURM_NNODES)) \\
  --machine_rank "\${SLURM_NODEID}" \\
  --main_process_ip "\${MASTER_ADDR}" \\
  --main_process_port "\${MASTER_PORT}" \\
  train.py --config config.yaml "$@"
`;
  return [
    { path: 'accelerate/multi_gpu.yaml', data: `${common}distributed_type: MULTI_GPU\ngpu_ids: all\n` },
    { path: 'accelerate/deepspeed_zero2.yaml', data: deepspeed(2) },
    { path: 'accelerate/deepspeed_zero3.yaml', data: deepspeed(3) },
    { path: 'slurm.sbatch', data: slurm },
    {
      path: 'requirements.txt',
      data: 'trl>=0.20\ntransformers>=4.46\ndatasets\naccelerate\nsafetensors\ntorch\n# deepspeed  (for accelerate/deepspeed_zero*.yaml)\n',
    },
  ];
}

export function readme(
  p: TrlProjectInput,
  m: TrlMapping,
  data: { rows: number; format: string },
  notes: string[],
): string {
  const { run } = p;
  const table = m.mapped
    .map(
      (f) =>
        `| \`${f.lab}\` | \`${JSON.stringify(f.value)}\` | ${Object.entries(f.args)
          .map(([k, v]) => `\`${k}: ${JSON.stringify(v)}\``)
          .join(', ')} |`,
    )
    .join('\n');
  const missing = m.noCounterpart
    .map((f) => `- \`${f.lab}\` = \`${JSON.stringify(f.value)}\`: ${f.reason}`)
    .join('\n');
  const ppo = run.algorithm === 'ppo';
  return `# ${run.name}: a TRL project

Exported by Alignment Lab from run ${run.id} (${run.algorithm}, dataset "${run.datasetName}"): the same
recipe for TRL's \`${m.trainer}\` (\`${m.configClass}\`), to run on one GPU, several, or a Slurm cluster.

| file | what it is |
|---|---|
| \`data/train.jsonl\` | the run's data as it trained on it, ${data.rows} rows, TRL's ${data.format} format |
| \`model/\` | where training starts: ${p.baseModel ? "the lab's model as a Hugging Face GPT-2 (model.safetensors, config.json, tokenizer with the lab's chat template)" : 'a config.json (the run began from fresh weights) and its tokenizer'} |
${ppo ? `| \`reward_model/\` | ${p.rewardModel ? "the lab's reward model as GPT2ForSequenceClassification (also the value model's start, as in TRL's example)" : 'absent: the run was scored by the gold judge or a rule, which TRL has no counterpart for'} |\n` : ''}| \`config.yaml\` | the arguments (\`--config config.yaml\`) |
| \`config.json\` | the same, with each lab field's TRL name, and the lab fields without a counterpart |
| \`train.py\` | builds ${m.trainer} and trains; saves the model and \`trainer_state.json\` in \`output/\` |
| \`accelerate/\` | multi-GPU (DDP) and DeepSpeed ZeRO-2 / ZeRO-3 configs |
| \`slurm.sbatch\` | a batch script for one 8-GPU node |

## Launch

    pip install -r requirements.txt

One GPU (or the CPU):

    python train.py --config config.yaml

Several GPUs on one machine (set \`num_processes\` in the config, or override it):

    accelerate launch --config_file accelerate/multi_gpu.yaml --num_processes 4 train.py --config config.yaml
    accelerate launch --config_file accelerate/deepspeed_zero3.yaml train.py --config config.yaml   # models that do not fit one GPU

A Slurm cluster: edit the \`#SBATCH\` lines of \`slurm.sbatch\`, then

    sbatch slurm.sbatch

\`per_device_train_batch_size\` is per GPU: on N GPUs the global batch is N × per_device × gradient_accumulation_steps.
To keep the lab run's batch on N GPUs, divide \`per_device_train_batch_size\` (or \`gradient_accumulation_steps\`) by N.

## Another base model

\`model/\` is the lab's own small model. To run the same recipe on a real one, pass a Hugging Face model id
or folder: \`python train.py --config config.yaml --model_name_or_path gpt2\`${ppo ? ' --sft_model_path gpt2 --reward_model_path YOUR_REWARD_MODEL' : ''}.
A tokenizer without a chat template needs one for conversational data (copy \`chat_template\` from
\`model/tokenizer_config.json\`).

## Pipeline parallelism

For a model split over several GPUs by layers (DeepSpeed's pipeline engine, which feeds the stages the
same micro-batches as \`gradient_accumulation_steps\`), the planner of the lab's run page
(**Cluster planner**) shows how busy the stages are. For 4 stages and this run's micro-batches:

${planMarkdown(planPipeline({ stages: 4, microBatches: Math.max(4, Number(run.config['gradientAccumulationSteps'] ?? 1)), backward: true }))}

More micro-batches per step fill the pipeline better: the utilisation is m / (s + m − 1).

## Bring the results back

    npm run lab -- import-run output/trainer_state.json --name "${run.name} (TRL)"

(or **Runs → Import trainer_state.json**): the curves appear beside the lab's runs, on the Compare page too.

## The mapping

| lab field | value | TRL argument |
|---|---|---|
${table}

Without a counterpart in TRL:

${missing || '- none'}
${notes.length ? `\nNotes:\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}
