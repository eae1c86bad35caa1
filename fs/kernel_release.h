/* SPDX-License-Identifier: MIT */
/*
 * The one kernel release procsim claims to be: /proc/version, osrelease,
 * the version sysctl and the formats of every file follow 6.18, the kernel
 * of the samples in shared/proc-samples and tests/samples.
 */
#ifndef PROCSIM_KERNEL_RELEASE_H
#define PROCSIM_KERNEL_RELEASE_H

#define UTS_RELEASE	"6.18.0-1-amd64"
#define UTS_VERSION	"#1 SMP PREEMPT_DYNAMIC Debian 6.18.1-1 (2025-12-10)"
#define LINUX_COMPILER	"x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0, " \
			"GNU ld (GNU Binutils for Debian) 2.44"

#endif
