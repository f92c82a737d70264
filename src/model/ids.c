/* Generated identifiers from the process's random source (reproducible under --seed). */
#include "model/ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/rand.h"
#include "util/errors_code.h"

int se_id_format(const char *prefix, char *buf, size_t size)
{
	char uuid[37];
	int r = se_crypto_uuid4(uuid);
	if (r < 0)
		return r;
	if ((size_t)snprintf(buf, size, "%s%s", prefix, uuid) >= size)
		return SE_ELIMIT;
	return 0;
}

int se_id_new(const char *prefix, char **ret)
{
	size_t size = strlen(prefix) + 37;
	char *buf = malloc(size);
	if (!buf)
		return SE_ENOMEM;
	int r = se_id_format(prefix, buf, size);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}
