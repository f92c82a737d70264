/* libFuzzer harness for the metadata reader: each input is a metadata document, parsed from its bytes as the fetch
 * worker does after a fetch (bounding pass, then libxml2). The parse must end, refuse or succeed, and never crash
 * or leak; a success has all three pieces. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "outbound/metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	se_metadata m = {0};
	char *error = NULL;
	int rc = se_metadata_parse((const char *)data, size, &m, &error);
	if (rc == 0 && (!m.entity_id || !m.sso_url || !m.certificate))
		abort();
	se_metadata_release(&m);
	free(error);
	return 0;
}
