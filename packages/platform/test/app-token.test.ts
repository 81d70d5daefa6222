import type { Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from './helpers.ts';

const routes = (app: Express) => app.post('/orders', (req, res) => void res.status(201).json(req.body));

describe('Dapr app API token', () => {
  const { app, lines } = testApp({ env: { APP_API_TOKEN: 'sidecar-secret' }, routes });

  it('refuses a request without dapr-api-token with 401 problem+json', async () => {
    const res = await request(app).post('/orders').send({ sku: 'A' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'AUTH.APP_TOKEN_INVALID' });
  });

  it('refuses a wrong token, including one of a different length', async () => {
    for (const token of ['sidecar-secreT', 'x', 'sidecar-secret-and-more']) {
      const res = await request(app).post('/orders').set('dapr-api-token', token).send({});
      expect(res.status).toBe(401);
    }
  });

  it('lets the sidecar through with the right token', async () => {
    const res = await request(app).post('/orders').set('dapr-api-token', 'sidecar-secret').send({ sku: 'A' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ sku: 'A' });
  });

  it('keeps the probes open (kubelet probes carry no token)', async () => {
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
  });

  it('never logs the token', async () => {
    await request(app).post('/orders').set('dapr-api-token', 'sidecar-secret').set('authorization', 'Bearer jwt-abc').send({});
    const text = JSON.stringify(lines);
    expect(text).not.toContain('sidecar-secret');
    expect(text).not.toContain('jwt-abc');
    // The request was logged (one short line, no headers), just without any secret in it.
    expect(text).toContain('"url":"/orders"');
  });

  it('is off when APP_API_TOKEN is not configured', async () => {
    const open = testApp({ routes }).app;
    expect((await request(open).post('/orders').send({ sku: 'B' })).status).toBe(201);
  });
});
