// The registry the centre maintains of the codes intake accepts: the government departments responsible
// for enterprises (分管联系部门, seed 003) and the towns (镇/街道) of its area. Data with a version, like the
// routing rules; a case is checked against the version current at intake. The code is the registered short
// name as staff write it (e.g. 经信局, 王江泾镇), so events and read models stay readable.

export interface RegistryEntry {
  code: string;
  name: { zh: string; en: string };
}

export interface Registry {
  version: string;
  responsibleDepartments: readonly RegistryEntry[];
  towns: readonly RegistryEntry[];
}

const entry = (code: string, en: string): RegistryEntry => ({ code, name: { zh: code, en } });

export const defaultRegistry: Registry = {
  version: 'registry-2026.1',
  responsibleDepartments: [
    entry('经信局', 'Economy and Information Technology Bureau'),
    entry('住建局', 'Housing and Urban-Rural Development Bureau'),
    entry('商务局', 'Commerce Bureau'),
    entry('交通运输局', 'Transport Bureau'),
    entry('交通局', 'Transport Bureau (short name)'),
    entry('农业农村局', 'Agriculture and Rural Affairs Bureau'),
    entry('文广旅体局', 'Culture, Tourism and Sports Bureau'),
    entry('市场监管局', 'Market Regulation Bureau'),
    entry('卫健局', 'Health Commission'),
    entry('教育局', 'Education Bureau'),
    entry('镇政府', 'Town government'),
    entry('街道办事处', 'Sub-district office'),
  ],
  towns: [
    entry('城关镇', 'Chengguan'),
    entry('王江泾镇', 'Wangjiangjing'),
    entry('新塍镇', 'Xincheng'),
    entry('油车港镇', 'Youchegang'),
    entry('洪合镇', 'Honghe'),
    entry('新丰镇', 'Xinfeng'),
    entry('凤桥镇', 'Fengqiao'),
    entry('余新镇', 'Yuxin'),
    entry('新城街道', 'Xincheng sub-district'),
    entry('高照街道', 'Gaozhao sub-district'),
  ],
};

export const isRegistered = (entries: readonly RegistryEntry[], code: string): boolean => entries.some((e) => e.code === code);
