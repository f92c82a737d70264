/* Return codes shared by every module: 0 for success, a negative se_err otherwise. Constants only. */
#ifndef SE_ERRORS_CODE_H
#define SE_ERRORS_CODE_H

enum se_err {
	SE_OK = 0,
	SE_ENOMEM = -1,
	SE_EINVAL = -2,
	SE_ENOTFOUND = -3,
	SE_ECONFLICT = -4,
	SE_EIO = -5,
	SE_ECRYPTO = -6,
	SE_ELIMIT = -7,
	SE_EDB = -8,
	SE_EAGAIN = -9, /* not ready yet: try again when told (crypto/keypool.h) */
};

#endif
