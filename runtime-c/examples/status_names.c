/* How an application reads the operator's results by name (fusop_codes.h, generated from
 * assembly/shared/codes.ts and image-codes.ts). The build compiles this file with -Werror and
 * -Wpedantic but links it nowhere: a header that stops compiling, or a code that is renamed,
 * fails `make` instead of the first application that uses it. */
#include <stdint.h>
#include "fusop.h"

_Static_assert(FUSOP_STATUS_OK == 0, "every fusop_* status is 0 on success");
_Static_assert(FUSOP_FUS_STATE_ERROR == 0xff, "FUS_GET_STATE reports an error as state 0xFF");

/* A short text for an application's log after any fusop_* call that returns a status. */
const char* example_status_text(uint32_t status) {
  switch ((enum fusop_status)status) {
    case FUSOP_STATUS_OK: return "ok";
    case FUSOP_STATUS_READY_TIMEOUT: return "CPU2 did not report ready";
    case FUSOP_STATUS_STACK_RUNNING: return "the wireless stack runs; start FUS first";
    case FUSOP_STATUS_STAGED_IMAGE_REFUSED: return "the staged image is refused";
    case FUSOP_STATUS_NO_IMAGE_STAGED: return "no image staged below the secure area";
    default: return "operator failure";
  }
}

/* After fusop_fus_get_state(): why FUS is unhappy, from the state and error bytes it reported. */
const char* example_fus_error_text(void) {
  if (fusop_fus_last_state() != FUSOP_FUS_STATE_ERROR) return "no error";
  switch (fusop_fus_last_error()) {
    case FUSOP_FUS_ERROR_IMG_NOT_FOUND: return "FUS found no image";
    case FUSOP_FUS_ERROR_IMG_NOT_AUTHENTIC: return "FUS refused the image's signature";
    case FUSOP_FUS_ERROR_FW_ROLLBACK_ERROR: return "anti-rollback refused the stack";
    default: return "FUS error";
  }
}

/* Whether the operator's pre-flight found a stale image that FUS might pick up. */
int example_stale_image_found(void) {
  return fusop_fus_check_staged_image() == FUSOP_STATUS_STAGED_IMAGE_REFUSED &&
         fusop_last_image_status() == FUSOP_IMAGE_STATUS_STALE_IMAGE_IN_STAGING;
}

/* Whether CPU2 runs FUS after fusop_boot_cpu2(). */
int example_cpu2_runs_fus(void) {
  return fusop_cpu2_mode() == FUSOP_CPU2_MODE_FUS;
}
