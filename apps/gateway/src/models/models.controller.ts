import { Controller, Get, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ModelsService, type OpenAiModel } from './models.service';

/** @see https://platform.openai.com/docs/api-reference/models */
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  async list(): Promise<{ object: 'list'; data: OpenAiModel[] }> {
    return { object: 'list', data: await this.models.list() };
  }

  /** Model ids may contain a slash (`anthropic/claude-...`). */
  @Get('*')
  get(@Req() request: FastifyRequest<{ Params: { '*': string } }>): Promise<OpenAiModel> {
    return this.models.get(decodeURIComponent(request.params['*']));
  }
}
