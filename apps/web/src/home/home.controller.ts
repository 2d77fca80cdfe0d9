import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '@slp/platform';
import { PageRenderer, WebRequest } from '../http/page-renderer';

@Controller()
export class HomeController {
  constructor(private readonly pages: PageRenderer) {}

  /** Signed out: what the service is and how to sign in. Signed in: their learning. */
  @Public()
  @Get()
  home(@Req() request: WebRequest, @Res() reply: FastifyReply): FastifyReply {
    if (request.user) return reply.redirect('/learning', 303);
    return this.pages.render(request, reply, 'home/start.njk', { title: 'Develop as a leader in your health and care system', area: 'home' });
  }
}
