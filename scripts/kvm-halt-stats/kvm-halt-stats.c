// A tiny VMM that makes KVM halt-poll: one real-mode vCPU halting in a loop (in-kernel irqchip), a thread raising
// IRQ 0 on the in-kernel PIC at varied intervals, then KVM's binary vCPU stats (KVM_GET_STATS_FD, Linux >= 5.14,
// Documentation/virt/kvm/api.rst) printed as a debugfs-style dump: "PATH:VALUE", histogram buckets space-separated.
// usage: kvm-halt-stats [INTERRUPTS] [MIN_US] [MAX_US]   (needs /dev/kvm; intervals log-uniform in [MIN_US, MAX_US])
#include <fcntl.h>
#include <linux/kvm.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int vm_fd, vcpu_fd;

static void die(const char *what) {
  perror(what);
  exit(1);
}

// Guest code at 0x1000: program the 8259 (vector base 8, no masks), enable interrupts, halt forever.
// The IRQ 0 handler at 0x1100 acknowledges the PIC (EOI) and returns.
static const uint8_t guest_code[] = {
    0xb0, 0x11, 0xe6, 0x20, // mov al,0x11; out 0x20,al   ICW1
    0xb0, 0x08, 0xe6, 0x21, // mov al,0x08; out 0x21,al   ICW2: vectors 8..15
    0xb0, 0x04, 0xe6, 0x21, // ICW3
    0xb0, 0x01, 0xe6, 0x21, // ICW4: 8086 mode
    0xb0, 0x00, 0xe6, 0x21, // OCW1: unmask all
    0xfb,                   // sti
    0xf4,                   // hlt
    0xeb, 0xfd,             // jmp hlt
};
static const uint8_t guest_handler[] = {0x50, 0xb0, 0x20, 0xe6, 0x20, 0x58, 0xcf}; // push ax; EOI; pop ax; iret

static void *run_vcpu(void *arg) {
  (void)arg;
  for (;;) {
    if (ioctl(vcpu_fd, KVM_RUN, 0) < 0) die("KVM_RUN");
    // HLT, the PIC and interrupts are all handled in the kernel: any return here is unexpected.
  }
  return NULL;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void spin_for_ns(uint64_t ns) {
  uint64_t end = now_ns() + ns;
  while (now_ns() < end) {
  }
}

static void raise_irq0(void) {
  struct kvm_irq_level irq = {.irq = 0, .level = 1};
  if (ioctl(vm_fd, KVM_IRQ_LINE, &irq) < 0) die("KVM_IRQ_LINE");
  irq.level = 0;
  if (ioctl(vm_fd, KVM_IRQ_LINE, &irq) < 0) die("KVM_IRQ_LINE");
}

static void print_stats(int stats_fd, const char *prefix) {
  struct kvm_stats_header h;
  if (pread(stats_fd, &h, sizeof h, 0) != sizeof h) die("read stats header");
  size_t desc_size = sizeof(struct kvm_stats_desc) + h.name_size;
  char *descs = malloc(desc_size * h.num_desc);
  if (pread(stats_fd, descs, desc_size * h.num_desc, h.desc_offset) != (ssize_t)(desc_size * h.num_desc)) die("read descs");
  for (uint32_t i = 0; i < h.num_desc; i++) {
    struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * desc_size);
    if (strncmp(d->name, "halt_", 5) != 0 && strcmp(d->name, "blocking") != 0) continue;
    uint64_t *values = calloc(d->size, sizeof *values);
    if (pread(stats_fd, values, d->size * sizeof *values, h.data_offset + d->offset) < 0) die("read stats data");
    printf("%s/%s:", prefix, d->name);
    for (uint16_t j = 0; j < d->size; j++) printf(j ? " %llu" : "%llu", (unsigned long long)values[j]);
    printf("\n");
    free(values);
  }
  free(descs);
}

int main(int argc, char **argv) {
  int interrupts = argc > 1 ? atoi(argv[1]) : 20000;
  double min_us = argc > 2 ? atof(argv[2]) : 2, max_us = argc > 3 ? atof(argv[3]) : 2000;
  int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0) die("/dev/kvm");
  if ((vm_fd = ioctl(kvm, KVM_CREATE_VM, 0)) < 0) die("KVM_CREATE_VM");
  if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) die("KVM_CREATE_IRQCHIP");
  size_t mem_size = 0x10000;
  uint8_t *mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) die("mmap");
  memcpy(mem + 0x1000, guest_code, sizeof guest_code);
  memcpy(mem + 0x1100, guest_handler, sizeof guest_handler);
  uint16_t ivt8[2] = {0x1100, 0}; // vector 8 (IRQ 0 after ICW2): offset, segment
  memcpy(mem + 8 * 4, ivt8, sizeof ivt8);
  struct kvm_userspace_memory_region region = {.slot = 0, .guest_phys_addr = 0, .memory_size = mem_size,
                                               .userspace_addr = (uintptr_t)mem};
  if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");
  if ((vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0)) < 0) die("KVM_CREATE_VCPU");
  int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0) == MAP_FAILED) die("mmap kvm_run");
  struct kvm_sregs sregs;
  if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) die("KVM_GET_SREGS");
  sregs.cs.base = 0;
  sregs.cs.selector = 0;
  sregs.ss.base = 0;
  sregs.ss.selector = 0;
  if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0) die("KVM_SET_SREGS");
  struct kvm_regs regs = {.rip = 0x1000, .rsp = 0x8000, .rflags = 2};
  if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");
  int stats_fd = ioctl(vcpu_fd, KVM_GET_STATS_FD, 0);
  if (stats_fd < 0) die("KVM_GET_STATS_FD");

  pthread_t t;
  pthread_create(&t, NULL, run_vcpu, NULL);
  usleep(100000); // let the guest program the PIC and halt
  srand(1);
  for (int i = 0; i < interrupts; i++) {
    double u = rand() / (double)RAND_MAX;
    double us = min_us * pow(max_us / min_us, u); // log-uniform: every log2 bucket gets some
    spin_for_ns((uint64_t)(us * 1000)); // nanosleep's timer slack would blur short intervals
    raise_irq0();
  }
  usleep(10000);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "/sys/kernel/debug/kvm/%d-%d/vcpu0", getpid(), vm_fd);
  print_stats(stats_fd, prefix);
  return 0; // the vCPU thread, halted in KVM_RUN, ends with the process
}
