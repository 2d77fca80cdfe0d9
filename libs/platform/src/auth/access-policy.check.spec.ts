import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { HttpAccessModule, Public } from '../index';

@Controller('forgotten')
class ForgottenController {
  @Public()
  @Get('declared')
  declared(): string {
    return 'ok';
  }

  @Get('undeclared')
  undeclared(): string {
    return 'should never be served';
  }
}

@Controller('declared')
@Public()
class ClassLevelController {
  @Get()
  index(): string {
    return 'ok';
  }
}

@Module({ imports: [HttpAccessModule], controllers: [ForgottenController] })
class ForgottenModule {}

@Module({ imports: [HttpAccessModule], controllers: [ClassLevelController] })
class DeclaredModule {}

describe('access policy check', () => {
  it('refuses to start an application with a route that declares no access policy', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ForgottenModule] }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter());
    await expect(app.init()).rejects.toThrow('Routes without an access policy: ForgottenController.undeclared');
    await app.close();
  });

  it('accepts a policy declared on the controller class', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DeclaredModule] }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter());
    await expect(app.init()).resolves.toBe(app);
    await app.close();
  });
});
