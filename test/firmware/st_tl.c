/* ST's way of booting CPU2 and driving the system channel (see st_tl.h). */
#include "st_tl.h"
#include "stm32wb.h"

#define SYSTEM_CHANNEL 2u /* §2: system command/response and system events */
#define CH(n) (1u << ((n) - 1u))
#define IPCC_C1_RX_IRQ 44u
#define IPCC_C1_TX_IRQ 45u
#define EXTI_LINE_36_IPCC (1u << 4)
#define EXTI_LINE_38_HSEM (1u << 6)
#define EXTI_LINE_41 (1u << 9)
#define C2_LPMS_SHUTDOWN 4u
#define SYS_CMD_PACKET 0x10u
#define EVT_BUFFER_BYTES (8u + 3u + 255u)
#define CMD_BUFFER_BYTES 0x10Cu /* 0x10B rounded to a word */

typedef struct list_node {
  struct list_node *next;
  struct list_node *prev;
} list_node;

/* §3.1 reference table: ten pointers (v1.6.0+ layout). */
typedef struct {
  void *device_info, *ble, *thread, *sys, *mem_manager, *traces, *mac_802_15_4, *zigbee, *lld_tests, *ble_lld;
} reference_table;
typedef struct { uint8_t *cmd_buffer; list_node *sys_queue; } sys_table;                   /* §3.5 */
typedef struct {
  uint8_t *spare_ble_buffer, *spare_sys_buffer, *ble_pool;
  uint32_t ble_pool_size;
  list_node *free_buffer_queue;
  uint8_t *traces_pool;
  uint32_t traces_pool_size;
} mem_manager_table;                                                                       /* §3.6 */

__attribute__((section("MAPPING_TABLE"))) static volatile reference_table ref_table;
/* 0x38 bytes: the FUS layout of the device information table (§3.3) is longer than ST's 0x20. */
__attribute__((section("MB_MEM1"))) static uint32_t device_info[0x38 / 4];
__attribute__((section("MB_MEM1"))) static sys_table sys;
__attribute__((section("MB_MEM1"))) static mem_manager_table mem_manager;
__attribute__((section("MB_MEM1"))) static list_node sys_queue;
__attribute__((section("MB_MEM1"))) static list_node free_buffer_queue;
__attribute__((section("MB_MEM2"), aligned(4))) static uint8_t cmd_buffer[CMD_BUFFER_BYTES];
__attribute__((section("MB_MEM2"), aligned(4))) static uint8_t spare_sys_buffer[EVT_BUFFER_BYTES + 2];
__attribute__((section("MB_MEM2"), aligned(4))) static uint8_t spare_ble_buffer[EVT_BUFFER_BYTES + 2];
__attribute__((section("MB_MEM2"), aligned(4))) static uint8_t ble_pool[4 * (EVT_BUFFER_BYTES + 2)];

static void list_init(list_node *head) {
  head->next = head;
  head->prev = head;
}

static list_node *list_take_head(list_node *head) {
  list_node *node = head->next;
  node->prev->next = node->next;
  node->next->prev = node->prev;
  return node;
}

/* Sleeps until `irq` becomes pending (SEVONPEND makes that an event), unless `done` already holds. */
static void wait_for(uint32_t irq, int (*done)(void)) {
  for (;;) {
    NVIC_ICPR1 = 1u << (irq - 32u);
    if (done()) return;
    __asm volatile("wfe");
  }
}

static int system_event_arrived(void) { return (IPCC_C2TOC1SR & CH(SYSTEM_CHANNEL)) != 0u; }
static int system_channel_free(void) { return (IPCC_C1TOC2SR & CH(SYSTEM_CHANNEL)) == 0u; }

void st_tl_boot_cpu2(void) {
  FLASH_SR = FLASH_SR_OPTVERR;                 /* §4.1 step 1 */
  RCC_AHB3ENR |= RCC_AHB3ENR_HSEMEN;           /* step 2 */
  PWR_C2CR1 = (PWR_C2CR1 & ~7u) | C2_LPMS_SHUTDOWN; /* step 3 */
  EXTI_C1IMR2 |= EXTI_LINE_36_IPCC | EXTI_LINE_38_HSEM; /* step 4 */

  /* Step 5, TL_Init and HW_IPCC_Init. */
  ref_table.device_info = device_info;
  ref_table.sys = &sys;
  ref_table.mem_manager = &mem_manager;
  RCC_AHB3ENR |= RCC_AHB3ENR_IPCCEN;
  IPCC_C1CR = (1u << 16) | 1u; /* TXFIE, RXOIE */
  NVIC_ISER1 = (1u << (IPCC_C1_RX_IRQ - 32u)) | (1u << (IPCC_C1_TX_IRQ - 32u));

  /* Step 6: system channel. */
  list_init(&sys_queue);
  sys.cmd_buffer = cmd_buffer;
  sys.sys_queue = &sys_queue;
  IPCC_C1MR &= ~CH(SYSTEM_CHANNEL); /* unmask RX occupied on channel 2 */

  /* Step 7: memory manager. */
  list_init(&free_buffer_queue);
  mem_manager.spare_ble_buffer = spare_ble_buffer;
  mem_manager.spare_sys_buffer = spare_sys_buffer;
  mem_manager.ble_pool = ble_pool;
  mem_manager.ble_pool_size = sizeof ble_pool;
  mem_manager.free_buffer_queue = &free_buffer_queue;

  /* Step 8, HW_IPCC_Enable. */
  RCC_C2AHB3ENR |= RCC_AHB3ENR_IPCCEN;
  EXTI_RTSR2 |= EXTI_LINE_41;
  EXTI_C2EMR2 |= EXTI_LINE_41;
  __asm volatile("sev");
  __asm volatile("wfe");
  PWR_CR4 |= PWR_CR4_C2BOOT;
}

const uint8_t *st_tl_wait_system_event(void) {
  wait_for(IPCC_C1_RX_IRQ, system_event_arrived);
  const uint8_t *event = (const uint8_t *)list_take_head(&sys_queue);
  IPCC_C1SCR = CH(SYSTEM_CHANNEL); /* acknowledge (§4.3 step 4) */
  return event;
}

const uint8_t *st_tl_system_command(uint16_t opcode, const uint8_t *parameters, uint8_t length) {
  cmd_buffer[8] = SYS_CMD_PACKET;
  cmd_buffer[9] = (uint8_t)(opcode & 0xFFu);
  cmd_buffer[10] = (uint8_t)(opcode >> 8);
  cmd_buffer[11] = length;
  for (uint8_t i = 0; i < length; i++) cmd_buffer[12u + i] = parameters[i];
  IPCC_C1SCR = CH(SYSTEM_CHANNEL) << 16;     /* CH2S */
  IPCC_C1MR &= ~(CH(SYSTEM_CHANNEL) << 16);  /* unmask TX free on channel 2 */
  wait_for(IPCC_C1_TX_IRQ, system_channel_free);
  IPCC_C1MR |= CH(SYSTEM_CHANNEL) << 16;
  return cmd_buffer;
}
