import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadPipeline } from '../../src/core/pipeline/load-pipeline.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { writeTrainingJsonl } from '../../src/toolkit/llm/write-training-jsonl.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { tempDir } from '../e2e/cli-helpers.ts';
import { helpDeskAnswers, noCodeAnswersProject } from '../e2e/no-code-answers-project.ts';

const skip = await requirePrerequisites('chromium');

describe('the examples block\'s form, its train and validation outputs, and the review block of a dictionary clean block', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const pipelineFile = () => readFileSync(path.join(served.dir, 'pipelines/answers.yaml'), 'utf8');
  /** The settings as the engine reads them from the file. */
  const settingsOf = (block: string) => (loadPipeline(served.dir, 'answers').blocks.find((b) => b.name === block) as { settings: unknown }).settings;
  const lines = (file: string) => readFileSync(path.join(served.dir, file), 'utf8').split('\n').filter(Boolean);

  before(async () => {
    ensureWebBuilt();
    served = await serveProject(noCodeAnswersProject);
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('shows an examples block\'s settings as fields', async () => {
    await page.goto(`${served.base}/#/pipelines/answers?block=training`);
    await page.getByTestId('examples-form').waitFor();
    assert.equal(await page.getByTestId('examples-setting-format').inputValue(), 'prompt_completion');
    assert.equal(await page.getByTestId('examples-setting-prompt').inputValue(), 'question');
    assert.equal(await page.getByTestId('examples-setting-completion').inputValue(), 'answer');
    assert.equal(await page.getByTestId('examples-setting-validation_share').inputValue(), '0.25');
    assert.equal(await page.getByTestId('examples-setting-seed').inputValue(), '7');
    assert.equal(await page.getByTestId('examples-setting-similarity').inputValue(), '');
    assert.equal(await page.getByTestId('save-examples').isDisabled(), true, 'nothing changed yet');
  });

  it('writes what the form says into the pipeline file as the engine reads it, keeping comments', async () => {
    await page.getByTestId('examples-setting-validation_share').fill('0.4');
    await page.getByTestId('examples-setting-seed').fill('3');
    await page.getByTestId('examples-setting-similarity').fill('0.9');
    await screenshot(page, 'examples-form');
    await page.getByTestId('save-examples').click();
    await waitFor(() => pipelineFile().includes('similarity: 0.9'), { what: 'the pipeline file to have the similarity', timeout: 5_000 });
    assert.deepEqual(settingsOf('training'), { format: 'prompt_completion', prompt: 'question', completion: 'answer', validation_share: 0.4, seed: 3, similarity: 0.9 });
    assert.match(pipelineFile(), /prompt: question # the customer's words, as typed\n/);
    assert.match(pipelineFile(), /^# Help desk answers, shaped into examples for a model\./);
    assert.equal(settingsOf('export_train') !== undefined, true, 'the blocks after it are kept');
  });

  it('shows a refused setting with the server\'s reason and leaves the file alone', async () => {
    const before = pipelineFile();
    // A fresh page: the last save's reload of the pipeline may otherwise redraw the form under the typing.
    await page.reload();
    await page.getByTestId('examples-form').waitFor();
    assert.equal(await page.getByTestId('examples-setting-validation_share').inputValue(), '0.4');
    await page.getByTestId('examples-setting-validation_share').fill('2');
    await page.getByTestId('save-examples').click();
    await page.getByText(/examples: validation_share: .*1/).first().waitFor();
    assert.equal(pipelineFile(), before);
  });

  it('splits the answers into train and validation outputs as the saved settings say', async () => {
    const client = apiClient(served);
    const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/answers/runs', {});
    assert.equal(await client.waitForRun(run_id), 'succeeded');
    // The same examples through the TypeScript function, with the saved share and seed: one repeat and one row without an answer left out.
    const kept = helpDeskAnswers.slice(0, 10).map((a) => ({ prompt: a.question, completion: a.answer }));
    const { dir, cleanup } = tempDir('sluice-examples-expected-');
    try {
      const expected = await writeTrainingJsonl(kept, { trainPath: path.join(dir, 'train.jsonl'), validationPath: path.join(dir, 'validation.jsonl'), validationShare: 0.4, seed: 3 });
      assert.ok(expected.train > 0 && expected.validation > 0, 'both sides hold examples');
      const { blocks } = await client.json<{ blocks: { block: string; rowsOut: number }[] }>(`/api/runs/${run_id}`);
      const rowsOut = (block: string) => blocks.find((b) => b.block === block)?.rowsOut;
      assert.equal(rowsOut('training'), kept.length);
      assert.equal(rowsOut('training__train'), expected.train);
      assert.equal(rowsOut('training__validation'), expected.validation);
      assert.deepEqual(lines('out/train.jsonl'), readFileSync(path.join(dir, 'train.jsonl'), 'utf8').split('\n').filter(Boolean));
      assert.deepEqual(lines('out/validation.jsonl'), readFileSync(path.join(dir, 'validation.jsonl'), 'utf8').split('\n').filter(Boolean));
    } finally {
      cleanup();
    }
  });

  it('switches the examples to the chat format, the emptied prompt and completion fields leaving the file', async () => {
    await page.goto(`${served.base}/#/pipelines/answers?block=training`);
    await page.reload();
    await page.getByTestId('examples-form').waitFor();
    await page.getByTestId('examples-setting-format').selectOption('chat');
    await page.getByTestId('examples-setting-prompt').fill('');
    await page.getByTestId('examples-setting-completion').fill('');
    await page.getByTestId('examples-setting-system').fill('You are the help desk of Example Ltd.');
    await page.getByTestId('examples-setting-user').fill('question');
    await page.getByTestId('examples-setting-assistant').fill('answer');
    await page.getByTestId('save-examples').click();
    await waitFor(() => pipelineFile().includes('format: chat'), { what: 'the pipeline file to have the chat format', timeout: 5_000 });
    assert.deepEqual(settingsOf('training'), { format: 'chat', system: 'You are the help desk of Example Ltd.', user: 'question', assistant: 'answer', validation_share: 0.4, seed: 3, similarity: 0.9 });
    assert.doesNotMatch(pipelineFile(), /prompt:|completion:/);
  });

  it('opens the review block of a dictionary clean block with a note pointing to Dictionaries', async () => {
    await page.goto(`${served.base}/#/pipelines/answers?block=clean_answers__review`);
    await page.getByTestId('clean-review-note').waitFor();
    assert.match(await page.getByTestId('clean-review-note').innerText(), /values clean_answers left undecided .*settings are those of clean_answers.*Dictionaries/s);
    await screenshot(page, 'clean-review-note');
    await page.getByTestId('clean-review-note').getByRole('link', { name: 'Dictionaries' }).click();
    await page.getByTestId('dictionaries-page').waitFor();
    await page.locator('[data-testid="pending-value"][data-value="Misc"]').waitFor();
    assert.deepEqual(problems.filter((p) => !/status of 400/.test(p)), []);
  });
});
