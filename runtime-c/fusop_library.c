/* The public C API (include/fusop.h) over the operator module's generated bindings (fusop_api.h,
 * internal): named parameters and result structures instead of raw exports and getters. The
 * logic stays in the module; this file only moves data in and out and strings calls together. */
#include <string.h>
#include "fusop.h"
#include "fusop_api.h"
#include "fusop_fault.h"

#define FLASH_BASE 0x08000000u
#define DEVICE_ID_WB1X 0x494u
/* FUS announces its reset and then needs a moment (fus-behaviour §7): wait this long for it. */
#define RESET_WAIT_MS 10000u
#define RESET_POLL_MS 20u
#define IV_BYTES 12u

static void read_progress(fusop_progress_t *progress) {
  if (progress == 0) return;
  progress->operation = (enum fusop_pending_operation)fusop_x_pending_operation();
  progress->fus_state = (uint8_t)fusop_x_fus_last_state();
  progress->fus_error = (uint8_t)fusop_x_fus_last_error();
  progress->cpu2_mode = (enum fusop_cpu2_mode)fusop_x_cpu2_mode();
  progress->in_progress = 0;
}

fusop_status_t fusop_resume(uint32_t ready_timeout_ms, fusop_progress_t *progress) {
  fusop_status_t status = (fusop_status_t)fusop_x_fus_resume(ready_timeout_ms);
  read_progress(progress);
  if (progress != 0) progress->in_progress = status == FUSOP_STATUS_OPERATION_IN_PROGRESS;
  return status;
}

fusop_status_t fusop_wait_while_busy(uint32_t timeout_ms, uint32_t poll_ms, fusop_progress_t *progress) {
  fusop_status_t status = (fusop_status_t)fusop_x_fus_wait_while_busy(timeout_ms, poll_ms);
  read_progress(progress);
  if (progress != 0) progress->in_progress = status == FUSOP_STATUS_FUS_BUSY_TIMEOUT;
  return status;
}

fusop_status_t fusop_identify(fusop_part_t *part) {
  if (part == 0) return FUSOP_STATUS_INVALID_CONFIG;
  memset(part, 0, sizeof *part);
  fusop_x_identify();
  part->cpu2_mode = (enum fusop_cpu2_mode)fusop_x_cpu2_mode();
  part->device_id = (uint16_t)fusop_x_id_device_id();
  part->revision_id = (uint16_t)fusop_x_id_revision_id();
  part->flash_kb = (uint16_t)fusop_x_id_flash_kb();
  uint32_t sector = part->device_id == DEVICE_ID_WB1X ? 2048u : 4096u;
  part->secure_flash_start = FLASH_BASE + fusop_x_id_sfsa() * sector;
  part->cpu2_boot_vector = FLASH_BASE + fusop_x_id_sbrv() * 4u;
  part->uid64 = ((uint64_t)fusop_x_id_uid64_high() << 32) | fusop_x_id_uid64_low();
  fusop_status_t status = (fusop_status_t)fusop_x_read_device_info();
  if (status != FUSOP_STATUS_OK) return status;
  part->fus_version = fusop_x_info_fus_version();
  part->stack_version = fusop_x_info_stack_version();
  part->safeboot_version = fusop_x_info_safeboot_version();
  part->stack_type = (uint8_t)fusop_x_info_stack_type();
  part->stack_sectors = (uint8_t)(fusop_x_info_stack_memory_size() & 0xFFu);
  return FUSOP_STATUS_OK;
}

static fusop_status_t stage_outcome(fusop_status_t status, fusop_stage_result_t *result) {
  if (result != 0) {
    result->address = fusop_x_stage_address();
    result->image_status = (enum fusop_image_status)fusop_x_stage_image_status();
  }
  return status;
}

fusop_status_t fusop_stage_begin(uint32_t image_size, fusop_stage_result_t *result) {
  return stage_outcome((fusop_status_t)fusop_x_stage_begin(image_size), result);
}

fusop_status_t fusop_stage_write(const void *data, size_t length) {
  const uint8_t *bytes = (const uint8_t *)data;
  uint8_t *input = fusop_linear_pointer(fusop_x_stage_input_pointer());
  size_t capacity = fusop_x_stage_input_capacity();
  if (bytes == 0 && length != 0) return FUSOP_STATUS_STAGE_OVERFLOW;
  while (length > 0) {
    size_t chunk = length < capacity ? length : capacity;
    memcpy(input, bytes, chunk);
    fusop_status_t status = (fusop_status_t)fusop_x_stage_write((uint32_t)chunk);
    if (status != FUSOP_STATUS_OK) return status;
    bytes += chunk;
    length -= chunk;
  }
  return FUSOP_STATUS_OK;
}

fusop_status_t fusop_stage_end(fusop_stage_result_t *result) {
  return stage_outcome((fusop_status_t)fusop_x_stage_end(), result);
}

/* After a command that FUS ends with a reset: wait for it (it does not return when it comes). */
static fusop_status_t await_reset(fusop_status_t sent) {
  if (sent != FUSOP_STATUS_OK) return sent;
  return (fusop_status_t)fusop_x_fus_await_reset(RESET_WAIT_MS, RESET_POLL_MS);
}

fusop_status_t fusop_start_fus(void) {
  return (fusop_status_t)fusop_x_start_fus();
}

fusop_status_t fusop_install(void) {
  if (fusop_x_cpu2_mode() == FUSOP_CPU2_MODE_WIRELESS_STACK) return fusop_start_fus();
  return await_reset((fusop_status_t)fusop_x_fus_fw_upgrade());
}

fusop_status_t fusop_start_stack(void) {
  return await_reset((fusop_status_t)fusop_x_fus_start_ws());
}

fusop_status_t fusop_delete_stack(void) {
  return await_reset((fusop_status_t)fusop_x_fus_fw_delete());
}

fusop_status_t fusop_key_store(fusop_key_type_t type, const uint8_t *key, size_t key_size, const uint8_t *iv, uint8_t *index) {
  if (key == 0 || (key_size != 16u && key_size != 32u)) return FUSOP_STATUS_INVALID_KEY_SIZE;
  if (type == FUSOP_KEY_ENCRYPTED && iv == 0) return FUSOP_STATUS_INVALID_KEY_TYPE;
  memcpy(fusop_linear_pointer(fusop_x_key_buffer_pointer()), key, key_size);
  if (type == FUSOP_KEY_ENCRYPTED) memcpy(fusop_linear_pointer(fusop_x_iv_buffer_pointer()), iv, IV_BYTES);
  fusop_status_t status = (fusop_status_t)fusop_x_fus_store_user_key((uint32_t)type, (uint32_t)key_size);
  if (status == FUSOP_STATUS_OK && index != 0) *index = (uint8_t)fusop_x_last_stored_key_index();
  return status;
}

fusop_status_t fusop_key_load(uint8_t index) {
  return (fusop_status_t)fusop_x_fus_load_user_key(index);
}

fusop_status_t fusop_key_unload(uint8_t index) {
  return (fusop_status_t)fusop_x_fus_unload_user_key(index);
}

fusop_status_t fusop_key_lock(uint8_t index) {
  return (fusop_status_t)fusop_x_fus_lock_user_key(index);
}

void fusop_detach(void) {
  fusop_x_detach_cpu2();
}
