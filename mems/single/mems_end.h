#endif /* MEMS_SINGLE_FILE_H */
