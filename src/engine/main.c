/* SPDX-License-Identifier: GPL-2.0-only */
/* main.c: placeholder until the engine lands. */
int main(void) { return 0; }
