import { convertResponsesRequest } from './convert-responses-request';
import { responsesParamOf } from './responses-param-of';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

describe('responsesParamOf', () => {
  const { origins } = convertResponsesRequest({
    model: 'm',
    instructions: 'Be brief.',
    input: [
      { type: 'reasoning', id: 'rs', summary: [] },
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'a' },
          { type: 'input_image', image_url: PNG, detail: 'auto' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'refusal', refusal: 'no' },
          { type: 'output_text', text: 'ok' },
        ],
      },
      { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c', output: 'r' },
      { type: 'function_call_output', call_id: 'd', output: [{ type: 'input_image', image_url: PNG }] },
    ],
  });

  it.each([
    ['messages[0].content', 'instructions'],
    ['messages[1].content[1].image_url.url', 'input[1].content[1].image_url'],
    ['messages[1].content[1].image_url.detail', 'input[1].content[1].detail'],
    ['messages[1].content[0]', 'input[1].content[0]'],
    ['messages[2].content[0].text', 'input[2].content[1].text'],
    ['messages[2].tool_calls[0].function.arguments', 'input[3].arguments'],
    ['messages[2].tool_calls[0].id', 'input[3].call_id'],
    ['messages[2].tool_calls', 'input[2]'],
    ['messages[3].content', 'input[4].output'],
    ['messages[1].content', 'input[1].content'],
    ['messages[1].name', 'input[1]'],
    ['messages[4].content[0].image_url.url', 'input[5].output[0].image_url'],
    ['messages[3]', 'input[4]'],
    ['messages[9].content', 'messages[9].content'],
    ['max_tokens', 'max_output_tokens'],
    ['temperature', 'temperature'],
    [null, null],
  ])('maps %s to %s', (chatParam, expected) => {
    expect(responsesParamOf(chatParam, origins)).toBe(expected);
  });
});
